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


class OrderLineIn(Schema):
    material: str = Field(max_length=40, description="Material code")
    quantity: Decimal = Field(description="> 0, at most 3 decimals")
    unit_price: Decimal | None = Field(
        None, description="Defaults to the material's standard price"
    )
    fulfilment: Literal["stock", "make"] | None = None
    note: str | None = Field(None, max_length=200)


class OrderIn(Schema):
    customer: str = Field(max_length=32, description="Customer code")
    due_date: date
    priority: PriorityIn = "normal"
    lines: list[OrderLineIn] = Field(min_length=1, max_length=200)
    discount_rate: Decimal | None = Field(None, description="Percent, 0–100")
    tax_rate: Decimal | None = Field(None, description="Percent, 0–100 (default 13)")
    payment_terms: PaymentTermsIn | None = None
    note: str | None = Field(None, max_length=2000)
    external_no: str | None = Field(None, max_length=64)


class OrderPatch(Schema):
    version: int = Field(description="The version you are editing; a stale one gets 409")
    customer: str | None = Field(None, max_length=32)
    due_date: date | None = None
    priority: PriorityIn | None = None
    discount_rate: Decimal | None = None
    tax_rate: Decimal | None = None
    payment_terms: PaymentTermsIn | None = None
    note: str | None = Field(None, max_length=2000)
    lines: list[OrderLineIn] | None = Field(None, min_length=1, max_length=200)


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
    q: str = Field("", max_length=100)
    cursor: int | None = Field(None, ge=0)
    limit: int = Field(50, ge=1, le=200)
