"""What the ``/api/v1`` handlers share: parameter types, limits, times and who is calling."""

import datetime as dt
from typing import Annotated

from fastapi import Depends, Path, Query
from starlette.requests import Request

from broadsheet.accounts import access, auth
from broadsheet.api.deps import Db
from broadsheet.api.errors import ApiError
from broadsheet.store import bounds
from broadsheet.store.users import User

PREFIX = "/api/v1"
MAX_ID = 2**63 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
SourceFilter = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this source's.")]
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
Limit = Annotated[int, Query(description=f"Items per page, clamped to 1-{MAX_LIMIT}.")]
TIME_FORMAT = {"format": "date-time"}


def clamp_limit(limit: int) -> int:
    """Limits outside [1, MAX_LIMIT] are clamped rather than refused."""
    return max(1, min(limit, MAX_LIMIT))


def parse_time(value: str | None, name: str) -> dt.datetime | None:
    """An RFC 3339 time from a query parameter (naive means UTC); 422 when it is not one,
    400 when it is beyond what storage holds."""
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise ApiError(422, f"query.{name}: expected an RFC 3339 date-time, "
                            "such as 2024-05-01T08:00:00Z") from None
    return bounds.check_time(when, name)


def caller(request: Request, db: Db) -> User:
    """The owner of the request's bearer token; 401 without a live one."""
    user = access.user_for_token(db, access.bearer_token(request))
    if user is None:
        raise ApiError(401, "a valid API token is needed (Authorization: Bearer ...)",
                       headers={"WWW-Authenticate": 'Bearer realm="broadsheet"'})
    return user


def writer(request: Request, db: Db) -> User:
    """The caller, who must be an editor or stronger to change sources (else 403)."""
    user = caller(request, db)
    if not auth.role_at_least(user.role, "editor"):
        raise ApiError(403, f"role {user.role!r} cannot change sources")
    return user


def editor_asks(request: Request, db: Db) -> bool:
    """Whether an editor's token came with the request (who may see full addresses)."""
    token = access.bearer_token(request)
    user = access.user_for_token(db, token) if token else None
    return user is not None and auth.role_at_least(user.role, "editor")


Caller = Annotated[User, Depends(caller)]
Writer = Annotated[User, Depends(writer)]
EditorAsks = Annotated[bool, Depends(editor_asks)]
