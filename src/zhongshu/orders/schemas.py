from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from .statuses import TRANSITIONS

PriorityIn = Literal["normal", "urgent", "critical"]
PaymentTermsIn = Literal["prepaid", "cod", "net30", "net60", "net90"]
Action = Literal[tuple(TRANSITIONS)]  # type: ignore[valid-type]
StatusIn = Literal[
    "draft", "pending_review", "confirmed", "scheduling", "in_production", "awaiting_qc",
    "shipped", "completed", "cancelled",
]  # fmt: skip


# Input types are deliberately lenient ("１２", "1,234.5", an unknown priority): the service
# validates everything and reports every bad field in one 422 instead of stopping at the first.
Number = Decimal | str
DateIn = date | str


class OrderLineIn(Schema):
    material: str | None = Field(None, description="Material code")
    quantity: Number | None = Field(None, description="> 0, at most 3 decimals")
    unit_price: Number | None = Field(
        None, description="Defaults to the material's standard price (on edit: the line's price)"
    )
    fulfilment: Literal["stock", "make"] | str | None = None
    note: str | None = Field(None, description="At most 200 characters")


class OrderIn(Schema):
    customer: str | None = Field(None, description="Customer code")
    due_date: DateIn | None = Field(None, description="YYYY-MM-DD, today or later")
    priority: PriorityIn | str = "normal"
    lines: list[OrderLineIn] | None = Field(None, description="1–200 lines")
    discount_rate: Number | None = Field(None, description="Percent, 0–100")
    tax_rate: Number | None = Field(None, description="Percent, 0–100 (default 13)")
    payment_terms: PaymentTermsIn | str | None = None
    note: str | None = Field(None, description="At most 2000 characters")
    external_no: str | None = Field(None, description="At most 64 characters")


class OrderPatch(Schema):
    version: int = Field(description="The version you are editing; a stale one gets 409")
    customer: str | None = None
    due_date: DateIn | None = None
    priority: PriorityIn | str | None = None
    discount_rate: Number | None = None
    tax_rate: Number | None = None
    payment_terms: PaymentTermsIn | str | None = None
    note: str | None = None
    lines: list[OrderLineIn] | None = Field(
        None, description="Replaces all lines; a line sent without unit_price keeps its price"
    )


class TransitionIn(Schema):
    action: Action
    note: str | None = Field(None, max_length=2000)
    version: int | None = Field(None, description="Optional: refuse if the order changed since")


class OrderLineOut(Schema):
    line_no: int
    material: str = Field(alias="material.code")
    material_name: str = Field(alias="material.name")
    unit: str = Field(alias="material.unit")
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    fulfilment: str
    shipped_quantity: Decimal
    note: str


class OrderEventOut(Schema):
    at: datetime
    actor: str | None
    action: str
    from_status: str
    to_status: str
    note: str
    data: dict

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class OrderSummaryOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    customer: str = Field(alias="customer.code")
    customer_name: str = Field(alias="customer.name")
    region: str = Field(alias="customer.region.name")
    priority: str
    due_date: date
    channel: str
    external_no: str
    total_amount: Decimal
    currency: str
    sales_owner: str = Field(alias="sales_owner.username")
    created_at: datetime
    version: int

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class OrderOut(OrderSummaryOut):
    discount_rate: Decimal
    tax_rate: Decimal
    payment_terms: str
    subtotal: Decimal
    tax_amount: Decimal
    note: str
    lines: list[OrderLineOut]
    timeline: list[OrderEventOut]
    allowed_actions: list[str]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())

    @staticmethod
    def resolve_timeline(obj):
        return list(obj.events.all())

    @staticmethod
    def resolve_allowed_actions(obj, context):
        from .services import allowed_actions

        return allowed_actions(context["request"].auth, obj)


class OrderPage(Schema):
    items: list[OrderSummaryOut]
    next_cursor: int | None = Field(
        description="Pass as ?cursor= for the next page; null at the end"
    )


class OrderFiltersIn(Schema):
    status: list[StatusIn] | None = None
    customer: str = Field("", max_length=32)
    priority: PriorityIn | None = None
    due_before: date | None = None
    due_after: date | None = None
    created_from: date | None = Field(None, description="order date on or after (local time)")
    created_to: date | None = Field(None, description="order date on or before (local time)")
    q: str = Field("", max_length=100)
    cursor: int | None = Field(None, ge=0, le=2**63 - 1)
    limit: int = Field(50, ge=1, le=200)
