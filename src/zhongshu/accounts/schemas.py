from datetime import datetime

from ninja import Field, Schema


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)


class TokenOut(Schema):
    token: str
    expires_at: datetime


class RegionIn(Schema):
    name: str = Field(min_length=1, max_length=50)


class RegionOut(Schema):
    id: int
    name: str


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[str]
    regions: list[str]
