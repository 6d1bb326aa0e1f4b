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
    supplier: str | None = Field(None, max_length=32, description="supplier code")
    unit_price: Decimal | None = Field(
        None, description="default: the supplier's valid price for the material"
    )
    tax_rate: Decimal | None = Field(None, description="e.g. 0.13")
    currency: str | None = Field(None, max_length=3)


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
    line_no: int
    supplier: str | None = Field(None, alias="supplier.code")
    unit_price: Decimal | None
    currency: str
    tax_rate: Decimal
    amount: Decimal | None = Field(description="quantity × unit price (net)")
    tax_amount: Decimal | None
    approval_status: Literal["", "pending", "approved", "rejected"] = Field(
        description="Approval above the amount: '' not needed, pending (cannot be received yet), "
        "approved, rejected (then cancelled)"
    )

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


# --- suppliers and prices -----------------------------------------------------------------------


class SupplierIn(InputSchema):
    code: str = Field(max_length=32)
    name: str = Field(max_length=100)
    contact: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)
    address: str = Field("", max_length=200)
    payment_terms: str = Field("", max_length=100)
    lead_time_days: int = 0
    active: bool = True


class SupplierPatch(InputSchema):
    name: str | None = Field(None, max_length=100)
    contact: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=200)
    payment_terms: str | None = Field(None, max_length=100)
    lead_time_days: int | None = None
    active: bool | None = None


class SupplierOut(Schema):
    code: str
    name: str
    contact: str
    phone: str
    address: str
    payment_terms: str
    lead_time_days: int
    active: bool


class SupplierPage(Schema):
    items: list[SupplierOut]
    count: int


class SupplierPriceIn(InputSchema):
    supplier: str = Field(max_length=32)
    material: str = Field(max_length=40)
    price: Decimal
    currency: str = Field("CNY", max_length=3)
    tax_rate: Decimal = Decimal("0.13")
    min_order_qty: Decimal = Decimal("0")
    lead_time_days: int = 0
    valid_from: date | None = Field(None, description="default: today")
    valid_to: date | None = None
    preferred: bool = False


class SupplierPricePatch(InputSchema):
    price: Decimal | None = None
    currency: str | None = Field(None, max_length=3)
    tax_rate: Decimal | None = None
    min_order_qty: Decimal | None = None
    lead_time_days: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    preferred: bool | None = None


class SupplierPriceOut(Schema):
    id: int
    supplier: str = Field(alias="supplier.code")
    material: str = Field(alias="material.code")
    price: Decimal
    currency: str
    tax_rate: Decimal
    min_order_qty: Decimal
    lead_time_days: int
    valid_from: date
    valid_to: date | None
    preferred: bool


class SupplierPricePage(Schema):
    items: list[SupplierPriceOut]
    count: int


class GroupAcceptIn(InputSchema):
    suggestions: list[int] | None = Field(
        None, description="ids of undecided suggestions; default: all undecided ones"
    )


class GroupAcceptOut(Schema):
    purchase_orders: list[str]
