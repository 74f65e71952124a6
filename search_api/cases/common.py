"""What the marks, cases and briefing routes share: the store, workspace errors as problem+json."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request

from workspace import AlreadyExists, InvalidValue, NotFound, Workspace

from ..errors import Conflict, Missing, Unprocessable


def store(request: Request) -> Workspace:
    return request.app.state.workspace


Store = Annotated[Workspace, Depends(store)]


@contextmanager
def problems(hint: str = "list your cases with GET /api/v1/cases") -> Iterator[None]:
    """Workspace errors as problems: a taken name 409, an unknown (or not yours) id 404, a bad value 422."""
    try:
        yield
    except AlreadyExists as exc:
        raise Conflict(str(exc), "it is already there") from None
    except NotFound as exc:
        raise Missing(str(exc), hint) from None
    except InvalidValue as exc:
        raise Unprocessable(str(exc)) from None
