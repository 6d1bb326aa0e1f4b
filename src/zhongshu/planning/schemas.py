import datetime as dt
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from zhongshu.core.schemas import InputSchema

Status = Literal["new", "accepted", "dismissed", "all"]


class RunIn(InputSchema):
    today: date | None = Field(None, description="Plan as of this date (default: today)")
    demand: Literal["orders", "orders_forecast"] = Field(
        "orders",
        description="open orders only, or open orders plus the latest forecast net of the "
        "orders already booked in each bucket",
    )


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
    reason: Literal["demand", "forecast", "safety_stock"]
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


class SuggestionPatchIn(InputSchema):
    quantity: Decimal | None = None
    order_by: date | None = None
    need_date: date | None = None


class DismissIn(InputSchema):
    reason: str = Field(max_length=200)


class PurchaseOrderIn(InputSchema):
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
    open_quantity: Decimal = Field(description="quantity − received while open; else 0")
    suggestion_id: int | None
    created_at: datetime
    closed_at: datetime | None
    cancel_reason: str

    @staticmethod
    def resolve_open_quantity(obj) -> Decimal:
        return obj.open_quantity if obj.status == "open" else Decimal("0")


class PurchaseOrderPage(Schema):
    items: list[PurchaseOrderOut]
    count: int


class ParametersIn(InputSchema):
    min_order_qty: Decimal = Field(Decimal("0"), description="0: no minimum")
    order_multiple: Decimal = Field(Decimal("0"), description="0: any quantity (lot-for-lot)")


class ParametersOut(Schema):
    material: str = Field(alias="material.code")
    min_order_qty: Decimal
    order_multiple: Decimal


class ReceiveIn(InputSchema):
    quantity: Decimal
    warehouse: str | None = Field(None, max_length=20, description="default warehouse if empty")


class CancelIn(InputSchema):
    reason: str = Field(max_length=200)


# --- forecasts ------------------------------------------------------------------------------------


class ForecastRunIn(InputSchema):
    bucket: Literal["week", "month"] = "month"
    horizon: int | None = Field(None, description="buckets to forecast (default 6 months/13 weeks)")
    today: date | None = None


class ForecastRunOut(Schema):
    id: int
    started_at: datetime
    finished_at: datetime | None
    bucket: Literal["week", "month"]
    horizon: int
    first_period: date
    stats: dict


class PeriodOut(Schema):
    start: date
    quantity: Decimal


class ForecastOut(Schema):
    material: str = Field(alias="material.code")
    material_name: str = Field(alias="material.name")
    unit: str = Field(alias="material.unit")
    method: Literal["seasonal_naive", "ses", "holt_winters", "croston", "sba"]
    wape: Decimal | None = Field(description="back-test WAPE of the chosen method")
    naive_wape: Decimal | None = Field(description="back-test WAPE of seasonal naive")
    history_periods: int
    history_total: Decimal
    intermittent: bool
    params: dict
    periods: list[PeriodOut]

    @staticmethod
    def resolve_periods(obj) -> list[dict]:
        from .forecast import shift

        run = obj.run
        return [
            {"start": shift(run.first_period, run.bucket, i), "quantity": Decimal(v)}
            for i, v in enumerate(obj.values)
        ]


class ForecastPage(Schema):
    run: ForecastRunOut | None
    items: list[ForecastOut]
    count: int


# --- capable-to-promise ---------------------------------------------------------------------------


class PromiseLineIn(InputSchema):
    material: str = Field(max_length=40)
    quantity: Decimal


class PromiseIn(InputSchema):
    due_date: date | None = Field(None, description="requested due date, to compare against")
    order_id: int | None = Field(
        None,
        description="an order being edited: its own demand "
        "and reservations are not counted against it",
    )
    lines: list[PromiseLineIn] = Field(max_length=200)


class ReasonOut(Schema):
    code: str
    text: str


class PromiseLineOut(Schema):
    material: str
    name: str
    unit: str
    quantity: Decimal
    date: dt.date | None
    source: Literal["stock", "supply", "purchase", "production", "none"]
    reasons: list[ReasonOut]


class PromiseOut(Schema):
    date: dt.date | None = Field(description="earliest date the whole order could ship")
    requested: dt.date | None
    on_time: bool | None
    days_late: int
    lines: list[PromiseLineOut]
