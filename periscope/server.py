"""The uvicorn entry point: settings are read here, at the top, and passed down into the app.

``search_api`` may not import ``periscope`` (layers, .importlinter), so the zero-argument factory
uvicorn needs for worker processes lives on this side.
"""

from __future__ import annotations

from fastapi import FastAPI

from periscope.settings import get_settings
from search_api.app import create_app as _create_app


def create_app() -> FastAPI:
    return _create_app(get_settings())
