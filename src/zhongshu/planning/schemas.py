from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

Status = Literal["new", "accepted", "dismissed", "all"]


class RunIn(Schema):
    today: date | None = Field(None, description="Plan as of this date (default: today)")


class RunOut(Schema):
    id: int
    started_at: datetime
    finished_at: datetime | None
    stats: dict


class SuggestionOut(Schema):
    id: int
    material: str = Field(alias="material.code")
    material_name: str = Field(alias="material.name")
    unit: str = Field(alias="material.unit")
    quantity: Decimal
    net_requirement: Decimal
    order_by: date
    need_date: date
    reason: Literal["demand", "safety_stock"]
    late: bool
    status: Literal["new", "accepted", "dismissed"]
    dismiss_reason: str
    edited: bool
    pegged_lines: list[int] = Field(description="Order line ids (first 20 by need date)")
    peg_count: int
    purchase_order: str | None = Field(None, alias="purchase_order.number")


class SuggestionPage(Schema):
    items: list[SuggestionOut]
    count: int


class SuggestionPatchIn(Schema):
    quantity: Decimal | None = None
    order_by: date | None = None
    need_date: date | None = None


class DismissIn(Schema):
    reason: str = Field(max_length=200)


class PurchaseOrderIn(Schema):
    material: str = Field(max_length=40)
    quantity: Decimal
    due_date: date


class PurchaseOrderOut(Schema):
    id: int
    number: str
    material: str = Field(alias="material.code")
    quantity: Decimal
    received_quantity: Decimal
    due_date: date
    status: Literal["open", "received", "cancelled"]
    suggestion_id: int | None
    created_at: datetime


class PurchaseOrderPage(Schema):
    items: list[PurchaseOrderOut]
    count: int


class ParametersIn(Schema):
    min_order_qty: Decimal = Field(Decimal("0"), description="0: no minimum")
    order_multiple: Decimal = Field(Decimal("0"), description="0: any quantity (lot-for-lot)")


class ParametersOut(Schema):
    material: str = Field(alias="material.code")
    min_order_qty: Decimal
    order_multiple: Decimal
