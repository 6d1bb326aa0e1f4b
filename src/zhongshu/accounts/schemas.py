from datetime import datetime

from ninja import Field, Schema

from zhongshu.core.schemas import InputSchema


class TokenIn(InputSchema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)


class TokenOut(Schema):
    token: str
    expires_at: datetime


class RegionIn(InputSchema):
    name: str = Field(min_length=1, max_length=50)


class RegionOut(Schema):
    id: int
    name: str
    active: bool


class RegionPatch(InputSchema):
    name: str | None = Field(default=None, min_length=1, max_length=50)
    active: bool | None = None


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[str]
    regions: list[str]


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    is_active: bool
    roles: list[str]
    regions: list[str]


class ApiTokenIn(InputSchema):
    name: str = Field(max_length=200)
    days: int = 90


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiTokenCreatedOut(ApiTokenOut):
    token: str
