"""The analysts' web UI (server-rendered pages at ``/``). Filled in by the UI work (issue 7)."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
