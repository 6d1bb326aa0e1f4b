from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

Kind = Literal["raw", "semi", "finished", "purchased"]
FulfilmentMode = Literal["stock", "make"]
# Numbers may arrive as people type them ("１，２３４．５"); the service normalises and validates.
Number = Decimal | str


class MaterialIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=120)
    spec: str | None = Field(None, max_length=200)
    unit: str | None = Field(None, max_length=12)
    kind: Kind | None = None
    fulfilment: FulfilmentMode | None = None
    standard_price: Number | None = None
    safety_stock: Number | None = None
    lead_time_days: int | None = None


class MaterialPatch(Schema):
    name: str | None = Field(None, max_length=120)
    spec: str | None = Field(None, max_length=200)
    unit: str | None = Field(None, max_length=12)
    kind: Kind | None = None
    fulfilment: FulfilmentMode | None = None
    standard_price: Number | None = None
    safety_stock: Number | None = None
    lead_time_days: int | None = None
    is_active: bool | None = None


class MaterialOut(Schema):
    code: str
    name: str
    spec: str
    unit: str
    kind: str
    fulfilment: str
    standard_price: Decimal
    safety_stock: Decimal
    lead_time_days: int
    is_active: bool
