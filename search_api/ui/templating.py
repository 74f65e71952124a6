"""The Jinja environment of the UI: autoescaping, the ``safe_url`` filter, the context every page gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request

from ..alerts.runtime import unseen_total
from ..security import auth_required, current_session
from .assets import ASSET_VERSION, vendor_installed
from .csrf import form_token
from .dates import human_date, time_tag
from .labels import ENTITY_LABELS, FACET_LABELS, SORT_LABELS, country_name, short_date, value_label
from .urls import safe_url

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
# Every stored URL that becomes an href goes through this filter: None -> show it as text.
templates.env.filters["safe_url"] = safe_url
# Dates read "3 Mar 1987" everywhere, ISO in <time datetime> (search_api/ui/dates.py).
templates.env.filters["human_date"] = human_date
templates.env.filters["time_tag"] = time_tag


def base_context(request: Request) -> dict[str, Any]:
    session = current_session(request) if auth_required(request) else None
    principal = getattr(request.state, "principal", None)
    return {"request": request, "principal": principal, "asset_v": ASSET_VERSION,
            "htmx": vendor_installed("htmx.min.js"), "session": session, "value_label": value_label,
            "facet_labels": FACET_LABELS, "sorts": SORT_LABELS, "entity_labels": ENTITY_LABELS,
            "country_name": country_name, "short_date": short_date,
            # saved searches (issue 15): the header badge and the CSRF token of the "Save search" form
            "saved_unseen": unseen_total(request), "csrf_token": lambda: form_token(request)}
