from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from zhongshu.core.schemas import InputSchema

from .models import Shipment, ShipmentLine, StockMovement

Kind = Literal["receipt", "issue", "adjust", "reserve", "release", "sync_correction", "opening"]


class AvailabilityOut(Schema):
    material: str
    warehouse: str | None
    unit: str
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    source: Literal["tplus", "local"]
    synced_at: datetime | None
    stale: bool
    oversold_risk: bool


class StockChangeIn(InputSchema):
    material: str = Field(max_length=40, description="Material code")
    warehouse: str | None = Field(None, max_length=20, description="Default warehouse if omitted")
    quantity: Decimal = Field(description="Receipts: > 0. Adjustments: the signed change, ≠ 0")
    reason: str | None = Field(None, max_length=200, description="Required for adjustments")


class LevelOut(Schema):
    id: int
    material: str = Field(alias="material.code")
    material_name: str = Field(alias="material.name")
    unit: str = Field(alias="material.unit")
    warehouse: str = Field(alias="warehouse.code")
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    safety_stock: Decimal = Field(alias="material.safety_stock")
    tplus_on_hand: Decimal | None
    synced_at: datetime | None
    oversold_risk: bool


class LevelPage(Schema):
    items: list[LevelOut]
    count: int


class MovementOut(Schema):
    id: int
    material: str = Field(alias="material.code")
    warehouse: str = Field(alias="warehouse.code")
    kind: Kind
    quantity: Decimal
    on_hand_delta: Decimal
    reserved_delta: Decimal
    on_hand_before: Decimal
    on_hand_after: Decimal
    reserved_before: Decimal
    reserved_after: Decimal
    actor: str | None = None
    order: str | None = None
    order_line_id: int | None
    shipment_id: int | None
    reason: str
    created_at: datetime

    @staticmethod
    def resolve_actor(obj: StockMovement) -> str | None:
        return obj.actor.username if obj.actor is not None else None

    @staticmethod
    def resolve_order(obj: StockMovement) -> str | None:
        return obj.order.number if obj.order is not None else None


class MovementPage(Schema):
    items: list[MovementOut]
    next_cursor: int | None


class MovementFiltersIn(Schema):
    material: str = ""
    warehouse: str = ""
    kind: Kind | None = None
    order: str = Field("", description="Order number")
    since: date | None = None
    until: date | None = None
    cursor: int | None = Field(None, description="next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=200)


class ShipmentLineIn(InputSchema):
    line_no: int
    quantity: Decimal


class ShipmentIn(InputSchema):
    order_id: int
    lines: list[ShipmentLineIn] | None = Field(
        None, max_length=200, description="Omit to ship everything remaining"
    )
    carrier: str = Field("", max_length=60)
    tracking_no: str = Field("", max_length=60)


class ShipmentLineOut(Schema):
    line_no: int = Field(alias="order_line.line_no")
    material: str = Field(alias="order_line.material.code")
    quantity: Decimal


class ShipmentOut(Schema):
    id: int
    number: str
    order_id: int
    order: str = Field(alias="order.number")
    order_status: str = Field(alias="order.status")
    carrier: str
    tracking_no: str
    shipped_by: str | None = None
    shipped_at: datetime
    lines: list[ShipmentLineOut]

    @staticmethod
    def resolve_shipped_by(obj: Shipment) -> str | None:
        return obj.shipped_by.username if obj.shipped_by is not None else None

    @staticmethod
    def resolve_lines(obj: Shipment) -> list[ShipmentLine]:
        return list(obj.lines.all())


class ShipmentSummaryOut(Schema):
    id: int
    number: str
    order_id: int
    order: str = Field(alias="order.number")
    carrier: str
    tracking_no: str
    shipped_at: datetime


class ShipmentPage(Schema):
    items: list[ShipmentSummaryOut]
    next_cursor: int | None


class TplusSyncOut(Schema):
    id: int
    scope: str
    ok: bool
    error: str
    rows: int
    changed: int
    started_at: datetime
    finished_at: datetime | None


class WarehouseIn(InputSchema):
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=80)
    is_default: bool = False


class WarehousePatch(InputSchema):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    is_default: bool | None = None
    active: bool | None = None


class WarehouseOut(Schema):
    code: str
    name: str
    is_default: bool
    is_active: bool
