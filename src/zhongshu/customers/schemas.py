from typing import Literal

from ninja import Field, Schema

Tier = Literal["key", "growing", "at_risk", "new", "regular"]


class CustomerIn(Schema):
    code: str = Field(max_length=32)
    name: str = Field(max_length=120)
    region: str = Field(max_length=50, description="Region name")
    tier: Tier | None = None
    contact: str | None = Field(None, max_length=60)
    phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=200)


class CustomerPatch(Schema):
    name: str | None = Field(None, max_length=120)
    region: str | None = Field(None, max_length=50)
    tier: Tier | None = None
    contact: str | None = Field(None, max_length=60)
    phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=200)
    is_active: bool | None = None


class CustomerOut(Schema):
    code: str
    name: str
    region: str = Field(alias="region.name")
    tier: str
    contact: str
    phone: str
    address: str
    is_active: bool
