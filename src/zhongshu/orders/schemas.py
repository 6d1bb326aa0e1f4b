from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypedDict, TypeVar

from ninja import Field, Schema

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor, ApiRequest
from zhongshu.core.schemas import InputSchema
from zhongshu.customfields import selectors as custom_fields

from .hooks import outcome_of
from .models import Order, OrderEvent, OrderLine
from .statuses import TRANSITIONS

PriorityIn = Literal["normal", "urgent", "critical"]
PaymentTermsIn = Literal["prepaid", "cod", "net30", "net60", "net90"]
Action = Literal[tuple(TRANSITIONS)]  # type: ignore[valid-type]
StatusIn = Literal[
    "draft", "pending_review", "confirmed", "scheduling", "in_production", "awaiting_qc",
    "shipped", "completed", "cancelled",
]  # fmt: skip


CUSTOM_IN = (
    "Custom field values by key (see the field definitions under /api/v1/custom-fields); "
    "a field left out keeps its value, null clears it"
)
CUSTOM_OUT = "Custom field values by key: only the fields the caller may see"


T = TypeVar("T")


class ResolveContext(TypedDict):
    """What django-ninja passes a resolver as ``context``: the request it answers."""

    request: ApiRequest


def visible_custom(context: ResolveContext, entity: str, obj: Order | OrderLine) -> dict[str, Any]:
    return custom_fields.visible_values(context["request"].auth, entity, obj.custom)


HIDDEN_NULL = "null when the caller's roles hide the field group (docs/permissions.md)"


def shown(context: ResolveContext, entity: str, name: str, value: T) -> T | None:
    """``value`` (of the field ``name``), or ``None`` when the caller's roles hide its field
    group."""
    if name in permissions.hidden_fields(context["request"].auth, entity):
        return None
    return value


# Input types are deliberately lenient ("１２", "1,234.5", an unknown priority): the service
# validates everything and reports every bad field in one 422 instead of stopping at the first.
Number = Decimal | str
DateIn = date | str


class OrderLineIn(InputSchema):
    material: str | None = Field(None, description="Material code")
    quantity: Number | None = Field(None, description="> 0, at most 3 decimals")
    unit_price: Number | None = Field(
        None, description="Defaults to the material's standard price (on edit: the line's price)"
    )
    fulfilment: Literal["stock", "make"] | str | None = None
    note: str | None = Field(None, description="At most 200 characters")
    custom: dict[str, Any] | None = Field(None, description=CUSTOM_IN)


class OrderLinePatchIn(OrderLineIn):
    line_no: int | None = Field(
        None,
        description="The line this one continues (its line_no as read back): it keeps that "
        "line's price and custom values unless they are sent. Without it a line continues a line "
        "of the same material, preferably at its position",
    )


class OrderIn(InputSchema):
    customer: str | None = Field(None, description="Customer code")
    due_date: DateIn | None = Field(None, description="YYYY-MM-DD, today or later")
    priority: PriorityIn | str = "normal"
    lines: list[OrderLineIn] | None = Field(None, description="1–200 lines")
    discount_rate: Number | None = Field(None, description="Percent, 0–100")
    tax_rate: Number | None = Field(None, description="Percent, 0–100 (default 13)")
    payment_terms: PaymentTermsIn | str | None = None
    note: str | None = Field(None, description="At most 2000 characters")
    external_no: str | None = Field(None, description="At most 64 characters")
    custom: dict[str, Any] | None = Field(None, description=CUSTOM_IN)


class OrderPatch(InputSchema):
    version: int = Field(description="The version you are editing; a stale one gets 409")
    customer: str | None = None
    due_date: DateIn | None = None
    priority: PriorityIn | str | None = None
    discount_rate: Number | None = None
    tax_rate: Number | None = None
    payment_terms: PaymentTermsIn | str | None = None
    note: str | None = None
    custom: dict[str, Any] | None = Field(None, description=CUSTOM_IN)
    lines: list[OrderLinePatchIn] | None = Field(
        None,
        description="Replaces all lines; a line sent without unit_price keeps the price of the "
        "line it continues (see line_no)",
    )


class TransitionIn(InputSchema):
    action: Action  # type: ignore[valid-type]  # a Literal built from the table at run time
    note: str | None = Field(None, max_length=2000)
    version: int | None = Field(None, description="Optional: refuse if the order changed since")


class BulkTransitionIn(InputSchema):
    action: Literal["submit", "confirm", "cancel", "assign_owner"]
    order_ids: list[int] = Field(..., min_length=1, max_length=500)
    reason: str = Field(
        "", max_length=2000, description="The cancellation reason (required to cancel)"
    )
    owner: int | None = Field(None, description="The new sales owner's user id (assign_owner)")


class BulkResultOut(Schema):
    order_id: int
    result: Literal["done", "refused"]
    code: str = ""
    message: str = ""


class BulkOut(Schema):
    done: int
    refused: int
    results: list[BulkResultOut]


class OrderLineOut(Schema):
    line_no: int
    material: str = Field(alias="material.code")
    material_name: str = Field(alias="material.name")
    unit: str = Field(alias="material.unit")
    quantity: Decimal
    unit_price: Decimal | None = Field(description=HIDDEN_NULL)
    amount: Decimal | None = Field(description=HIDDEN_NULL)
    fulfilment: str
    shipped_quantity: Decimal
    note: str
    custom: dict[str, Any] = Field(description=CUSTOM_OUT)

    @staticmethod
    def resolve_custom(obj: OrderLine, context: ResolveContext) -> dict[str, Any]:
        return visible_custom(context, "order_line", obj)

    @staticmethod
    def resolve_unit_price(obj: OrderLine, context: ResolveContext) -> Decimal | None:
        return shown(context, "order_line", "unit_price", obj.unit_price)

    @staticmethod
    def resolve_amount(obj: OrderLine, context: ResolveContext) -> Decimal | None:
        return shown(context, "order_line", "amount", obj.amount)


class OrderEventOut(Schema):
    at: datetime
    actor: str | None
    action: str
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: OrderEvent) -> str | None:
        return obj.actor.username if obj.actor is not None else None

    @staticmethod
    def resolve_data(obj: OrderEvent, context: ResolveContext) -> dict[str, Any]:
        return redact_event_data(context["request"].auth, obj.data)


def redact_event_data(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """A timeline entry without the custom fields the reader may not see."""
    hidden = {
        f"custom.{d.key}"
        for d in custom_fields.definitions("order", actor=actor)
        if not permissions.custom_field_visible(actor, d)
    }
    if not hidden or not isinstance(data, dict):
        return data
    out = dict(data)
    if isinstance(out.get("changed"), list):
        out["changed"] = [c for c in out["changed"] if c not in hidden]
    for part in ("before", "after"):
        if isinstance(out.get(part), dict):
            out[part] = {k: v for k, v in out[part].items() if k not in hidden}
    return out


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
    total_amount: Decimal | None = Field(description=HIDDEN_NULL)
    currency: str
    sales_owner: str = Field(alias="sales_owner.username")
    created_at: datetime
    version: int
    custom: dict[str, Any] = Field(description=CUSTOM_OUT)

    @staticmethod
    def resolve_status_label(obj: Order) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_custom(obj: Order, context: ResolveContext) -> dict[str, Any]:
        return visible_custom(context, "order", obj)

    @staticmethod
    def resolve_total_amount(obj: Order, context: ResolveContext) -> Decimal | None:
        return shown(context, "order", "total_amount", obj.total_amount)


class OrderOut(OrderSummaryOut):
    discount_rate: Decimal | None = Field(description=HIDDEN_NULL)
    tax_rate: Decimal | None = Field(description=HIDDEN_NULL)
    payment_terms: str | None = Field(description=HIDDEN_NULL)
    subtotal: Decimal | None = Field(description=HIDDEN_NULL)
    tax_amount: Decimal | None = Field(description=HIDDEN_NULL)
    note: str
    lines: list[OrderLineOut]
    timeline: list[OrderEventOut]
    allowed_actions: list[str]

    @staticmethod
    def resolve_discount_rate(obj: Order, context: ResolveContext) -> Decimal | None:
        return shown(context, "order", "discount_rate", obj.discount_rate)

    @staticmethod
    def resolve_tax_rate(obj: Order, context: ResolveContext) -> Decimal | None:
        return shown(context, "order", "tax_rate", obj.tax_rate)

    @staticmethod
    def resolve_payment_terms(obj: Order, context: ResolveContext) -> str | None:
        return shown(context, "order", "payment_terms", obj.payment_terms)

    @staticmethod
    def resolve_subtotal(obj: Order, context: ResolveContext) -> Decimal | None:
        return shown(context, "order", "subtotal", obj.subtotal)

    @staticmethod
    def resolve_tax_amount(obj: Order, context: ResolveContext) -> Decimal | None:
        return shown(context, "order", "tax_amount", obj.tax_amount)

    @staticmethod
    def resolve_lines(obj: Order) -> list[OrderLine]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_timeline(obj: Order) -> list[OrderEvent]:
        return list(obj.events.all())

    @staticmethod
    def resolve_allowed_actions(obj: Order, context: ResolveContext) -> list[str]:
        from .services import allowed_actions

        return allowed_actions(context["request"].auth, obj)


class ReservedOut(Schema):
    line_no: int
    material: str
    quantity: Decimal


class TransitionOut(Schema):
    """The answer to a transition: where the order stands now, not its whole detail (read that
    with ``GET /orders/{id}``)."""

    id: int
    number: str
    status: str
    status_label: str
    version: int
    reserved: list[ReservedOut] = Field(
        description="What a confirmation reserved for the stock lines (empty otherwise)"
    )
    warnings: list[str] = Field(
        description="What went through but needs a look, e.g. components held only in part"
    )

    @staticmethod
    def resolve_status_label(obj: Order) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_reserved(obj: Order) -> list[dict[str, Any]]:
        return list(outcome_of(obj).get("reserved", []))

    @staticmethod
    def resolve_warnings(obj: Order) -> list[str]:
        return [str(w) for w in outcome_of(obj).get("warnings", [])]


class OrderPage(Schema):
    items: list[OrderSummaryOut]
    next_cursor: int | str | None = Field(
        description="Pass as ?cursor= for the next page; null at the end. A number in the "
        "default order, an opaque string in due-date order"
    )
    next_offset: int | None = Field(
        None, description="With ?sort=: pass as ?offset= for the next page; null at the end"
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
    channel: Literal["direct", "taobao", "douyin", "agent", "import"] | None = None
    queue: str = Field("", max_length=40, description="orders routed to this queue")
    tag: str = Field("", max_length=40, description="orders carrying this tag")
    sort: str = Field(
        "",
        max_length=50,
        description="due_date, total (refused when the caller's roles hide prices), number, created or "
        "cf_<key> of a filterable custom field; "
        "prefix - for descending. Default: newest first",
    )
    cursor: str | None = Field(
        None,
        max_length=40,
        pattern=r"^(\d{1,19}|\d{4}-\d{2}-\d{2}\.\d{1,18})$",
        description="next_cursor of the previous page",
    )
    offset: int = Field(0, ge=0, le=1_000_000, description="Paging of a sorted list")
    limit: int = Field(50, ge=1, le=200)
