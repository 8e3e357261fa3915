"""``/api/v1/me``: who a token belongs to.

Handlers carry no docstrings: FastAPI would publish them in the OpenAPI document.
"""

from pydantic import BaseModel

from broadsheet.api.v1.common import Caller


class Me(BaseModel):
    id: int
    name: str
    role: str


def me(user: Caller) -> Me:
    return Me(id=user.id, name=user.name, role=user.role)
