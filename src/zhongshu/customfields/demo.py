"""Demo custom fields: what a machining shop adds first — the drawing number and surface
treatment of an order (filterable), the heat number of a line, and a customer's credit limit
seen only by finance, management and sales. Some demo orders carry values to filter on: seeded
before the orders, this hands ``ctx["order_custom"]`` (the values of the n-th order) to the
orders seed, which owns the orders."""

from . import services

SEED_ORDER = 40  # before the orders
TAGGED_ORDERS = 40

FINISHES = [
    {"value": "anodized", "label_zh": "阳极氧化", "label_en": "Anodized"},
    {"value": "plated", "label_zh": "镀锌", "label_en": "Zinc plated"},
    {"value": "blackened", "label_zh": "发黑", "label_en": "Blackened"},
    {"value": "none", "label_zh": "无", "label_en": "None"},
]


def seed(ctx) -> None:
    admin = ctx.users.get("admin")
    if admin is None:
        return
    define = services.field_create
    define(
        actor=admin,
        entity="order",
        key="drawing_no",
        label_zh="图号",
        label_en="Drawing no.",
        filterable=True,
        position=10,
        help_text="客户图纸编号，如 DWG-2026-017",
    )
    define(
        actor=admin,
        entity="order",
        key="finish",
        label_zh="表面处理",
        label_en="Surface treatment",
        type="choice",
        choices=FINISHES,
        filterable=True,
        position=20,
    )
    define(
        actor=admin,
        entity="order_line",
        key="heat_no",
        label_zh="炉号",
        label_en="Heat no.",
        position=10,
    )
    define(actor=admin, entity="customer", key="credit_limit", label_zh="信用额度",
           label_en="Credit limit", type="decimal", view_roles=["finance", "manager", "sales"],
           edit_roles=["finance", "manager"], position=10)  # fmt: skip
    ctx["order_custom"] = order_custom
    ctx.counts["custom fields"] = 4


def order_custom(i: int) -> dict | None:
    """The custom values of the demo's i-th order (the first ``TAGGED_ORDERS`` carry some)."""
    if i >= TAGGED_ORDERS:
        return None
    return {
        "drawing_no": f"DWG-2026-{i % 12 + 1:03d}",
        "finish": FINISHES[i % len(FINISHES)]["value"],
    }
