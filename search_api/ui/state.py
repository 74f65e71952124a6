"""The search state of a page: parsed from the URL query string and written back to it.

The URL *is* the state (shareable, bookmarkable, back/forward for free); :meth:`UiState.request_data`
turns it into the same ``SearchRequest`` fields the API takes, so the UI cannot drift from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from ..limits import MAX_RESULT_WINDOW
from mappings.vocabulary import DEFAULT_MODE, FACET_NAMES, MODES_BY_NAME, SORTS_BY_NAME

LIST_PARAMS: tuple[str, ...] = FACET_NAMES  # filters are repeated query parameters named like the facets
PAGE_SIZE = 20
FACET_SIZE = 6  # values shown per facet before "show more"
FACET_MORE_SIZE = 50
MAX_PAGE = MAX_RESULT_WINDOW // PAGE_SIZE  # page * size never goes past index.max_result_window


@dataclass
class UiState:
    """The whole search state, parsed from (and written back to) the URL query string."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    page: int = 1
    duplicates: str = "hide"
    mode: str = DEFAULT_MODE  # keyword | hybrid ("all languages") | semantic (issue 19)

    @classmethod
    def from_request(cls, request: Request) -> "UiState":
        qp = request.query_params
        filters: dict[str, list[str]] = {}
        for name in LIST_PARAMS:
            values = [v.strip() for v in qp.getlist(name) if v.strip()]
            if values:
                filters[name] = list(dict.fromkeys(values))  # dedupe, keep order
        try:
            page = max(1, int(qp.get("page", "1")))
        except ValueError:
            page = 1
        sort = qp.get("sort", "relevance")
        dup = qp.get("duplicates", "hide")
        mode = qp.get("mode", DEFAULT_MODE)
        return cls(
            q=qp.get("q", "").strip(),
            filters=filters,
            date_from=qp.get("date_from", "").strip(),
            date_to=qp.get("date_to", "").strip(),
            sort=sort if sort in SORTS_BY_NAME else "relevance",
            page=page,
            duplicates=dup if dup in ("hide", "show") else "hide",
            mode=mode if mode in MODES_BY_NAME else DEFAULT_MODE,
        )

    def params(self, *, page: bool = True) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        for name in LIST_PARAMS:
            out.extend((name, v) for v in self.filters.get(name, []))
        if self.date_from:
            out.append(("date_from", self.date_from))
        if self.date_to:
            out.append(("date_to", self.date_to))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.duplicates != "hide":
            out.append(("duplicates", self.duplicates))
        if self.mode != DEFAULT_MODE:
            out.append(("mode", self.mode))
        if page and self.page > 1:
            out.append(("page", str(self.page)))
        return out

    def query_string(self, *, page: bool = True) -> str:
        return urlencode(self.params(page=page))

    def url(self, **changes: Any) -> str:
        """URL of this state with ``changes`` applied (page resets to 1 unless given)."""
        st = UiState(
            q=self.q, filters={k: list(v) for k, v in self.filters.items()},
            date_from=self.date_from, date_to=self.date_to, sort=self.sort, page=1,
            duplicates=self.duplicates, mode=self.mode,
        )
        for key, value in changes.items():
            if key in LIST_PARAMS:
                if value:
                    st.filters[key] = list(value)
                else:
                    st.filters.pop(key, None)
            else:
                setattr(st, key, value)
        qs = st.query_string()
        return "/?" + qs if qs else "/"

    def without(self, name: str, value: str) -> str:
        return self.url(**{name: [v for v in self.filters.get(name, []) if v != value]})

    def selected(self, name: str) -> list[str]:
        return self.filters.get(name, [])

    @property
    def has_criteria(self) -> bool:
        return bool(self.q or self.filters or self.date_from or self.date_to)

    def request_data(self, *, size: int = PAGE_SIZE, facet_size: int = FACET_SIZE) -> dict[str, Any]:
        """The API request fields (``SearchRequest``) for this state; unset fields are omitted."""
        data: dict[str, Any] = {"sort": self.sort, "page": self.page, "size": size,
                                "facet_size": facet_size, "duplicates": self.duplicates, "mode": self.mode}
        if self.q:
            data["q"] = self.q
        data.update(self.filters)
        if self.date_from:
            data["date_from"] = self.date_from
        if self.date_to:
            data["date_to"] = self.date_to
        return data


def pager(state: UiState, total: int) -> dict[str, Any]:
    """Page links around the current page, capped at the result window."""
    last = max(1, min(-(-total // PAGE_SIZE), MAX_PAGE))
    page = min(state.page, last)
    pages = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    return {"page": page, "last": last, "pages": pages,
            "prev": state.url(page=page - 1) if page > 1 else None,
            "next": state.url(page=page + 1) if page < last else None,
            "url": lambda n: state.url(page=n), "capped": -(-total // PAGE_SIZE) > last}
