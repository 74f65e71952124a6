"""The analysts' web UI: server-rendered pages at ``/`` over the same service layer as the API.

Why server-rendered: every page is one call into ``request.app.state.service`` (the code path
``/api/v1`` uses), so the UI cannot drift from the API, works with JavaScript off, and the URL query
string *is* the state (shareable, bookmarkable, back/forward for free). A little JavaScript
(``static/periscope.js``) and htmx (npm, served from ``node_modules``; never a CDN) only enhance it:
partial page swaps, auto-submit of facet checkboxes, the timeline drag, in-facet search.

Everything that reaches the page is escaped by Jinja; the only pre-built HTML is made here
(:func:`safe_highlight`, :func:`mark_mentions`) from escaped pieces.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent
STATIC_DIR = HERE / "static"
# Front-end packages installed by scripts/setup.sh from package.json (npm), never committed.
VENDOR_FILES: dict[str, Path] = {
    "htmx.min.js": PROJECT_ROOT / "node_modules" / "htmx.org" / "dist" / "htmx.min.js",
}

from .security import COOKIE_NAME, key_is_valid, keys_required


async def require_ui_key(request: Request) -> None:
    """Pages need the same key as the API when keys are on; without one, go to the sign-in page."""
    settings = request.app.state.settings
    if keys_required(settings) and not key_is_valid(settings, request.cookies.get(COOKIE_NAME)):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, headers={"Location": "/login?" + urlencode({"next": target})})


router = APIRouter(include_in_schema=False)
pages = Depends(require_ui_key)
templates = Jinja2Templates(directory=str(HERE / "templates"))

# Facets in the sidebar: API facet name -> label an analyst reads.
SIDEBAR_FACETS: tuple[tuple[str, str], ...] = (
    ("language", "Language"),
    ("source", "Source"),
    ("topics", "Topic"),
    ("countries", "Country"),
    ("person", "Person"),
    ("org", "Organisation"),
    ("location", "Place"),
)
FACET_LABELS = dict(SIDEBAR_FACETS) | {"source_type": "Source type", "keywords": "Keyword"}
LIST_PARAMS: tuple[str, ...] = (
    "language", "source", "source_type", "topics", "countries", "person", "org", "location", "keywords",
)
SORTS: tuple[tuple[str, str], ...] = (
    ("relevance", "Relevance"), ("date", "Newest first"), ("date_asc", "Oldest first"),
)
PAGE_SIZE = 20
FACET_SIZE = 6  # values shown per facet before "show more"
FACET_MORE_SIZE = 50
EXPORT_CAP = 10_000  # rows /api/v1/export streams at most (contract section 3)
MAX_WINDOW = 10_000  # index.max_result_window: page * size never goes past it
ENTITY_TYPES = ("person", "org", "location", "other")
ENTITY_LABELS = {"person": "Person", "org": "Organisation", "location": "Place", "other": "Other"}
_MENTION_TYPE_ALIASES = {
    "per": "person", "persons": "person", "people": "person",
    "organization": "org", "organisation": "org", "orgs": "org",
    "loc": "location", "gpe": "location", "place": "location", "places": "location",
    "misc": "other",
}

LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "es": "Spanish", "de": "German", "ru": "Russian",
    "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "uk": "Ukrainian", "pl": "Polish",
    "ar": "Arabic", "zh": "Chinese", "ja": "Japanese", "tr": "Turkish", "fa": "Persian",
    "und": "Undetermined",
}


# ------------------------------------------------------------------------------------------------
# URL state
# ------------------------------------------------------------------------------------------------


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
        return cls(
            q=qp.get("q", "").strip(),
            filters=filters,
            date_from=qp.get("date_from", "").strip(),
            date_to=qp.get("date_to", "").strip(),
            sort=sort if sort in dict(SORTS) else "relevance",
            page=page,
            duplicates=dup if dup in ("hide", "show") else "hide",
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
            duplicates=self.duplicates,
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
        """The API request fields (contract section 3) for this state; unset fields are omitted."""
        data: dict[str, Any] = {"sort": self.sort, "page": self.page, "size": size,
                                "facet_size": facet_size, "duplicates": self.duplicates}
        if self.q:
            data["q"] = self.q
        for name, values in self.filters.items():
            data[name] = values
        if self.date_from:
            data["date_from"] = self.date_from
        if self.date_to:
            data["date_to"] = self.date_to
        return data


# ------------------------------------------------------------------------------------------------
# Safe HTML builders (the only places HTML is assembled outside templates)
# ------------------------------------------------------------------------------------------------

_MARK_SPLIT = re.compile(r"(</?mark>)", re.IGNORECASE)


def safe_highlight(fragment: str | None) -> Markup:
    """A highlight fragment ("escaped text with <mark> tags") made safe whatever the API sent.

    Text between the tags is unescaped then escaped again, so correct input is unchanged and any
    stray markup is shown as text; ``<mark>`` tags are kept balanced.
    """
    if not fragment:
        return Markup("")
    out: list[str] = []
    open_ = False
    for part in _MARK_SPLIT.split(fragment):
        low = part.lower()
        if low == "<mark>":
            if not open_:
                out.append("<mark>")
                open_ = True
        elif low == "</mark>":
            if open_:
                out.append("</mark>")
                open_ = False
        elif part:
            out.append(str(escape(html.unescape(part))))
    if open_:
        out.append("</mark>")
    return Markup("".join(out))


def mention_type(raw: str | None) -> str:
    t = (raw or "other").strip().lower()
    t = _MENTION_TYPE_ALIASES.get(t, t)
    return t if t in ENTITY_TYPES else "other"


def mark_mentions(text: str | None, mentions: list[dict[str, Any]] | None, field_name: str) -> Markup:
    """``text`` escaped, with each mention of ``field_name`` wrapped in ``<mark class="ent ent-TYPE">``.

    Offsets come from the index (``mentions``); a mention whose offsets are out of range or no longer
    match its text is skipped rather than marking the wrong words; overlaps keep the earliest-longest.
    """
    text = text or ""
    spans: list[tuple[int, int, dict[str, Any]]] = []
    for m in mentions or []:
        if not isinstance(m, dict) or (m.get("field") or "body") != field_name:
            continue
        s, e = m.get("start"), m.get("end")
        if not isinstance(s, int) or not isinstance(e, int) or not (0 <= s < e <= len(text)):
            continue
        if m.get("text") and text[s:e] != m["text"]:
            continue
        spans.append((s, e, m))
    spans.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    out: list[Markup] = []
    pos = 0
    for s, e, m in spans:
        if s < pos:
            continue
        typ = mention_type(m.get("type"))
        canonical = m.get("canonical") or text[s:e]
        out.append(escape(text[pos:s]))
        out.append(Markup('<mark class="ent ent-{0}" data-type="{0}" title="{1}: {2}">{3}</mark>').format(
            typ, ENTITY_LABELS[typ], canonical, text[s:e]))
        pos = e
    out.append(escape(text[pos:]))
    return Markup("").join(out)


# ------------------------------------------------------------------------------------------------
# Display helpers
# ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    try:
        import pycountry

        c = pycountry.countries.get(alpha_2=code.upper())
        return getattr(c, "common_name", None) or c.name if c else code
    except Exception:  # pragma: no cover - pycountry missing or odd code: show the code
        return code


def value_label(facet: str, value: str) -> str:
    if facet == "language":
        return LANGUAGE_NAMES.get(value, value)
    if facet == "countries":
        return country_name(value)
    return value


def short_date(value: str | None) -> str:
    return (value or "")[:10]


def _as_dict(obj: Any) -> Any:
    if obj is None:
        return None
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return obj


def _bucket_list(obj: Any) -> list[dict[str, Any]]:
    obj = _as_dict(obj)
    if isinstance(obj, dict):
        obj = obj.get("buckets", [])
    return [b for b in (obj or []) if isinstance(b, dict)]


def shape_hit(hit: dict[str, Any]) -> dict[str, Any]:
    """What the result list shows for one hit (contract hit shape in, display fields out)."""
    hl = hit.get("highlights") or {}
    title_hl = hl.get("title") or []
    body_hl = hl.get("body") or []
    ents = hit.get("entities") or {}
    return {
        "id": hit.get("id", ""),
        "url": hit.get("url"),
        "title_html": safe_highlight(title_hl[0]) if title_hl else escape(hit.get("title") or "(untitled)"),
        "snippet_html": (Markup(" … ").join(safe_highlight(f) for f in body_hl[:3]) if body_hl
                         else safe_highlight(hit.get("snippet") or "")),  # snippet: escaped text + <mark>
        "source": hit.get("source") or "",
        "date": short_date(hit.get("published_at")),
        "language": hit.get("language") or "",
        "language_label": LANGUAGE_NAMES.get(hit.get("language") or "", hit.get("language") or ""),
        "entities": [(t, ENTITY_LABELS[t], (ents.get(t) or [])[:3]) for t in ("person", "org", "location")
                     if ents.get(t)],
        "topics": (hit.get("topics") or [])[:4],
        "duplicate_of": hit.get("duplicate_of"),
    }


def _parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


_RAW_INTERVALS = {"1d": "day", "7d": "week", "1w": "week", "1M": "month", "3M": "quarter", "1q": "quarter", "1y": "year"}


def bucket_end(start: dt.date, interval: str, next_start: dt.date | None = None) -> dt.date:
    """Last day covered by a histogram bucket that starts on ``start``.

    Calendar intervals are exact; any other (e.g. ``auto_date_histogram``'s "2M") ends the day before
    the next bucket starts.
    """
    interval = _RAW_INTERVALS.get(interval, interval)
    if interval == "day":
        return start
    if interval == "week":
        return start + dt.timedelta(days=6)
    if interval in ("month", "quarter", "year"):
        months = {"month": 1, "quarter": 3, "year": 12}[interval]
        y, m = divmod(start.month - 1 + months, 12)
        return dt.date(start.year + y, m + 1, 1) - dt.timedelta(days=1)
    if next_start is not None and next_start > start:
        return next_start - dt.timedelta(days=1)
    return start


def timeline(histogram: Any, state: UiState, width: int = 720, height: int = 90) -> dict[str, Any] | None:
    """Bars of the date histogram as SVG geometry, each with the date range it stands for."""
    histogram = _as_dict(histogram) or {}
    interval = str(histogram.get("interval") or "month")
    buckets = []
    for b in histogram.get("buckets") or []:
        day = _parse_day(b.get("date") or b.get("key_as_string") or "")
        if day is not None:
            buckets.append((day, int(b.get("count") or b.get("doc_count") or 0)))
    if not buckets:
        return None
    peak = max(c for _, c in buckets) or 1
    slot = width / len(buckets)
    gap = 1 if slot > 4 else 0
    bars = []
    for i, (day, count) in enumerate(buckets):
        if i + 1 < len(buckets):
            nxt: dt.date | None = buckets[i + 1][0]
        elif len(buckets) > 1:
            nxt = day + (day - buckets[i - 1][0])
        else:
            nxt = None
        end = bucket_end(day, interval, nxt)
        h = 0 if count == 0 else max(2.0, (height - 4) * count / peak)
        label = day.isoformat() if end == day else f"{day.isoformat()} – {end.isoformat()}"
        bars.append({
            "x": round(i * slot, 2), "w": round(max(slot - gap, 0.5), 2), "y": round(height - h, 2),
            "h": round(h, 2), "count": count, "from": day.isoformat(), "to": end.isoformat(),
            "label": label, "href": state.url(date_from=day.isoformat(), date_to=end.isoformat()),
        })
    return {"bars": bars, "width": width, "height": height, "interval": _RAW_INTERVALS.get(interval, interval),
            "first": bars[0]["from"], "last": bars[-1]["to"],
            "peak": peak}


# ------------------------------------------------------------------------------------------------
# Calling the service, turning its errors into messages an analyst can act on
# ------------------------------------------------------------------------------------------------


@dataclass
class UiError:
    kind: str  # "syntax" | "invalid" | "unavailable" | "not-found" | "error"
    status: int
    title: str
    detail: str = ""
    hint: str = ""
    errors: list[dict[str, str]] = field(default_factory=list)


def ui_error(exc: Exception) -> UiError:
    """Map a service/validation/Elasticsearch exception to a message (never a stack trace)."""
    from elasticsearch import ApiError, TransportError
    from pydantic import ValidationError

    try:
        from search_api import errors as api_errors
    except ImportError:  # pragma: no cover - service layer not present yet
        api_errors = None  # type: ignore[assignment]
    if api_errors is not None and isinstance(exc, (ApiError, TransportError)):
        exc = api_errors.translate_es_error(exc)  # same wording as the API's problem documents
    name = type(exc).__name__
    if api_errors is not None and isinstance(exc, getattr(api_errors, "QuerySyntaxError", ())) \
            or name == "QuerySyntaxError":
        return UiError("syntax", 400, "Your query could not be understood",
                       str(getattr(exc, "detail", "") or exc), str(getattr(exc, "hint", "") or ""))
    if api_errors is not None and isinstance(exc, getattr(api_errors, "DocumentNotFound", ())) \
            or name == "DocumentNotFound":
        return UiError("not-found", 404, "Document not found",
                       "No document has this id. It may have been removed or re-indexed.")
    if (api_errors is not None and isinstance(exc, getattr(api_errors, "SearchUnavailable", ()))
            or name == "SearchUnavailable" or isinstance(exc, (TransportError, ConnectionError, OSError))):
        detail = str(getattr(exc, "detail", "") or "Elasticsearch could not be reached")
        hint = str(getattr(exc, "hint", "") or "")
        return UiError("unavailable", 503, "Search is unavailable right now", detail[:1].upper() + detail[1:] + ".",
                       (hint[:1].upper() + hint[1:] + ". " if hint else "") + "If it persists, start the node with "
                       "`periscope es start`, check `periscope es status` or PERISCOPE_ES_URL.")
    if isinstance(exc, ValidationError):
        errs = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        return UiError("invalid", 400, "Some search parameters are not valid",
                       "; ".join(f"{e['field']}: {e['message']}" for e in errs),
                       "Dates are YYYY-MM-DD; remove the filter or fix the value.", errs)
    status = getattr(exc, "status_code", None) or getattr(exc, "status", None)
    if isinstance(status, int) and 400 <= status < 500:
        return UiError("invalid", status, "The search request was rejected",
                       str(getattr(exc, "detail", "") or exc)[:300], str(getattr(exc, "hint", "") or ""))
    if isinstance(exc, ApiError):
        return UiError("error", 502, "The search index returned an error", str(exc)[:300],
                       "Try a simpler query; if it keeps failing, report it with this message.")
    return UiError("error", 500, "Something went wrong", f"{name}: {str(exc)[:300]}")


def _service(request: Request) -> Any:
    service = getattr(request.app.state, "service", None)
    if service is None:
        raise RuntimeError("the search service is not configured on this app (app.state.service)")
    return service


def _search_request(data: dict[str, Any]) -> Any:
    from search_api.models import SearchRequest

    return SearchRequest.model_validate(data)


async def ui_facet_values(service: Any, name: str, req: Any, prefix: str, size: int) -> list[dict[str, Any]]:
    """Values of one facet under the current filters (the service's ``facet_values``, normalised)."""
    return _bucket_list(await service.facet_values(name, req, prefix, size))


# ------------------------------------------------------------------------------------------------
# Pages
# ------------------------------------------------------------------------------------------------


def _asset_version() -> str:
    h = hashlib.sha256()
    for p in sorted(STATIC_DIR.glob("*")):
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()[:10]


ASSET_VERSION = _asset_version()


def _base_context(request: Request) -> dict[str, Any]:
    return {"request": request, "asset_v": ASSET_VERSION, "htmx": VENDOR_FILES["htmx.min.js"].is_file(),
            "value_label": value_label, "facet_labels": FACET_LABELS, "sorts": SORTS,
            "language_names": LANGUAGE_NAMES, "entity_labels": ENTITY_LABELS, "country_name": country_name}


def facet_input_id(name: str, value: str) -> str:
    """A stable element id per facet value, so keyboard focus survives htmx page swaps."""
    return f"f-{name}-{hashlib.sha1(value.encode('utf-8')).hexdigest()[:10]}"


def _facet_view(name: str, label: str, facet: Any, state: UiState) -> dict[str, Any]:
    facet = _as_dict(facet) or {}
    selected = state.selected(name)
    buckets = []
    seen = set()
    for b in _bucket_list(facet):
        value = str(b.get("value", b.get("key", "")))
        seen.add(value)
        buckets.append({"value": value, "label": value_label(name, value), "count": b.get("count", b.get("doc_count")),
                        "selected": value in selected, "id": facet_input_id(name, value)})
    # A selected value always stays visible (and checked), even when it falls outside the top N.
    missing = [{"value": v, "label": value_label(name, v), "count": None, "selected": True,
                "id": facet_input_id(name, v)} for v in selected if v not in seen]
    buckets = missing + buckets
    return {"name": name, "label": label, "buckets": buckets, "selected": selected,
            "more": len(_bucket_list(facet)) >= FACET_SIZE,
            "searchable": name not in ("language",)}


def _chips(state: UiState) -> list[dict[str, str]]:
    chips = []
    for name in LIST_PARAMS:
        for v in state.selected(name):
            chips.append({"facet": name, "label": FACET_LABELS.get(name, name), "value": v,
                          "value_label": value_label(name, v), "remove": state.without(name, v)})
    if state.date_from or state.date_to:
        label = f"{state.date_from or '…'} – {state.date_to or '…'}"
        chips.append({"facet": "date", "label": "Date", "value": label, "value_label": label,
                      "remove": state.url(date_from="", date_to="")})
    return chips


def _pager(state: UiState, total: int) -> dict[str, Any]:
    last = max(1, min(-(-total // PAGE_SIZE), MAX_WINDOW // PAGE_SIZE))
    page = min(state.page, last)
    pages = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    return {"page": page, "last": last, "pages": pages,
            "prev": state.url(page=page - 1) if page > 1 else None,
            "next": state.url(page=page + 1) if page < last else None,
            "url": lambda n: state.url(page=n), "capped": -(-total // PAGE_SIZE) > last}


@router.get("/", response_class=HTMLResponse, dependencies=[pages])
async def search_page(request: Request) -> Response:
    state = UiState.from_request(request)
    ctx = _base_context(request) | {"state": state, "results": None, "error": None, "facets": [],
                                    "chips": _chips(state), "timeline": None,
                                    "plain_url": "/?" + urlencode({"q": state.q}) if state.q else "/"}
    status = 200
    try:
        req = _search_request(state.request_data())
        res = _as_dict(await _service(request).search(req))
    except Exception as exc:  # noqa: BLE001 - every failure becomes a readable page
        err = ui_error(exc)
        ctx["error"], status = err, err.status
    else:
        total = res.get("total") or {}
        total_value = total.get("value", 0) if isinstance(total, dict) else int(total or 0)
        facets = res.get("facets") or {}
        ctx |= {
            "results": res,
            "hits": [shape_hit(h) for h in res.get("hits") or []],
            "total": total_value,
            "total_relation": total.get("relation", "eq") if isinstance(total, dict) else "eq",
            "took_ms": res.get("took_ms"),
            "facets": [_facet_view(n, label, facets.get(n), state) for n, label in SIDEBAR_FACETS],
            "timeline": timeline(res.get("histogram"), state),
            "pager": _pager(state, total_value),
            "export_csv": "/api/v1/export?" + urlencode([("format", "csv"), *state.params(page=False)]),
            "export_jsonl": "/api/v1/export?" + urlencode([("format", "jsonl"), *state.params(page=False)]),
            "export_cap": EXPORT_CAP,
        }
    return templates.TemplateResponse(request, "search.html", ctx, status_code=status)


@router.get("/ui/facets/{name}", response_class=HTMLResponse, dependencies=[pages])
async def facet_fragment(request: Request, name: str, prefix: str = "", size: int = FACET_MORE_SIZE) -> Response:
    """The checkbox list of one facet (show more / in-facet search), as an HTML fragment for htmx."""
    state = UiState.from_request(request)
    label = FACET_LABELS.get(name)
    if label is None:
        return HTMLResponse(f"<p class=facet-msg>Unknown facet {escape(name)}.</p>", status_code=404)
    size = max(1, min(size, 200))
    try:
        req = _search_request(state.request_data(size=0))
        buckets = await ui_facet_values(_service(request), name, req, prefix.strip(), size)
    except Exception as exc:  # noqa: BLE001
        err = ui_error(exc)
        return HTMLResponse(f"<p class=facet-msg role=alert>{escape(err.title)}. {escape(err.detail)}</p>",
                            status_code=200)
    view = _facet_view(name, label, {"buckets": buckets}, state)
    if prefix.strip():  # keep selected values visible but do not pretend they matched the search
        view["buckets"] = [b for b in view["buckets"] if b["count"] is not None or b["selected"]]
    return templates.TemplateResponse(request, "_facet_list.html",
                                      _base_context(request) | {"facet": view, "prefix": prefix.strip()})


@router.get("/doc/{doc_id}", response_class=HTMLResponse, dependencies=[pages])
async def document_page(request: Request, doc_id: str) -> Response:
    back = request.query_params.get("back", "")
    back = back if back.startswith("/") and not back.startswith("//") else "/"
    ctx = _base_context(request) | {"doc": None, "error": None, "back": back, "similar": None,
                                    "duplicates": None, "similar_error": None, "duplicates_error": None}
    try:
        service = _service(request)
        doc = _as_dict(await service.document(doc_id))
    except Exception as exc:  # noqa: BLE001
        err = ui_error(exc)
        ctx["error"] = err
        return templates.TemplateResponse(request, "document.html", ctx, status_code=err.status)
    similar, dups = await asyncio.gather(service.similar(doc_id, 8), service.duplicates(doc_id),
                                         return_exceptions=True)
    for key, value in (("similar", similar), ("duplicates", dups)):
        if isinstance(value, BaseException):
            ctx[f"{key}_error"] = ui_error(value) if isinstance(value, Exception) else None
        else:
            value = _as_dict(value)
            hits = value.get("hits", []) if isinstance(value, dict) else value
            ctx[key] = [shape_hit(_as_dict(h)) for h in hits or [] if _as_dict(h).get("id") != doc_id]
    mentions = doc.get("mentions") or []
    ents = doc.get("entities") or {}
    counts = {t: 0 for t in ENTITY_TYPES}
    for m in mentions:
        if isinstance(m, dict):
            counts[mention_type(m.get("type"))] += 1
    ctx |= {
        "doc": doc,
        "title_html": mark_mentions(doc.get("title") or "(untitled)", mentions, "title"),
        "body_html": mark_mentions(doc.get("body") or "", mentions, "body"),
        "entity_groups": [(t, ENTITY_LABELS[t], ents.get(t) or []) for t in ENTITY_TYPES if ents.get(t)],
        "mention_counts": counts,
        "language_label": LANGUAGE_NAMES.get(doc.get("language") or "", doc.get("language") or ""),
        "short_date": short_date,
        "topic_scores": doc.get("topic_scores") or {},
    }
    return templates.TemplateResponse(request, "document.html", ctx)


# ------------------------------------------------------------------------------------------------
# Static files: our own (static/) and the npm packages (node_modules/), both from an allow-list
# ------------------------------------------------------------------------------------------------

_STATIC_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*\.(css|js|svg|ico|png)$")
_CACHE = {"Cache-Control": "public, max-age=3600"}


@router.get("/static/vendor/{name}")
async def vendor_file(name: str) -> Response:
    path = VENDOR_FILES.get(name)
    if path is None or not path.is_file():
        return Response(f"{name} is not installed; run `bash scripts/setup.sh` (npm install).\n",
                        status_code=404, media_type="text/plain")
    return FileResponse(path, headers=_CACHE, media_type="text/javascript")


@router.get("/static/{name}")
async def static_file(name: str) -> Response:
    path = STATIC_DIR / name
    if not _STATIC_NAME.match(name) or not path.is_file():
        return Response("not found\n", status_code=404, media_type="text/plain")
    return FileResponse(path, headers=_CACHE)



def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect an analyst to another host after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/") -> Response:
    ctx = _base_context(request) | {"next": _safe_next(next), "error": None}
    return templates.TemplateResponse(request, "login.html", ctx)


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    key = (form.get("key") or [""])[0].strip()
    target = _safe_next((form.get("next") or ["/"])[0])
    settings = request.app.state.settings
    if not key_is_valid(settings, key):
        ctx = _base_context(request) | {"next": target, "error": "That key is not valid. Ask the operator for one."}
        return templates.TemplateResponse(request, "login.html", ctx, status_code=401)
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(COOKIE_NAME, key, httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return resp
