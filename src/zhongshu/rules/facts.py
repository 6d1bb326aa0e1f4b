"""What event checks evaluate: the facts of orders as plain Python values, loaded in a fixed
number of queries for any number of orders. Derived fields are computed here in Python, on
purpose independently of the SQL in ``compiler`` — the property test holds the two together."""

import datetime as dt
import functools
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from zhongshu.catalog.models import Fulfilment
from zhongshu.core.rows import Rows, placeholders, values_of
from zhongshu.orders.models import Order, OrderLine

from .compiler import PRODUCTION_STARTED

ZERO = Decimal("0")


def order_facts(order_ids, *, today: dt.date | None = None, need: set[str] | None = None) -> dict:
    """``{order_id: facts}``. ``need`` limits the derived look-ups to the fields rules use."""
    from zhongshu.inventory.models import Reservation, ReservationStatus, StockLevel

    from .models import OrderTag

    today = today or timezone.localdate()
    ids = list(order_ids)
    want = (
        need
        if need is not None
        else {"stock_shortage", "shortage_qty", "tags", "component_shortage"}
    )
    orders = _order_rows(ids)
    shortage: dict[int, Decimal] = defaultdict(lambda: ZERO)
    short_lines: dict[int, list] = defaultdict(list)
    if want & {"stock_shortage", "shortage_qty"}:
        lines = list(
            OrderLine.objects.filter(order_id__in=ids, fulfilment=Fulfilment.STOCK).values(
                "id", "order_id", "material_id", "material__code", "quantity", "shipped_quantity"
            )
        )
        held: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for line_id, qty in Reservation.objects.filter(
            order_line_id__in=[ln["id"] for ln in lines], status=ReservationStatus.ACTIVE
        ).values_list("order_line_id", "quantity"):
            held[line_id] += qty
        available = {
            m: on_hand - reserved
            for m, on_hand, reserved in StockLevel.objects.filter(
                material_id__in={ln["material_id"] for ln in lines}, warehouse__is_default=True
            ).values_list("material_id", "on_hand", "reserved")
        }
        for ln in lines:
            need_qty = ln["quantity"] - ln["shipped_quantity"] - held[ln["id"]]
            short = need_qty - available.get(ln["material_id"], ZERO)
            if short > 0:
                shortage[ln["order_id"]] += short
                short_lines[ln["order_id"]].append(
                    {"material": ln["material__code"], "short": short}
                )
    components = _component_shortages(ids, short_lines) if "component_shortage" in want else {}
    tags: dict[int, set] = defaultdict(set)
    if "tags" in want:
        for order_id, tag in OrderTag.objects.filter(
            order_id__in=ids, kind=OrderTag.Kind.TAG
        ).values_list("order_id", "tag"):
            tags[order_id].add(tag)
    out = {}
    for o in orders:
        out[o["id"]] = {
            "id": o["id"],
            "number": o["number"],
            "status": o["status"],
            "priority": o["priority"],
            "channel": o["channel"],
            "amount": o["total_amount"],
            "due_date": o["due_date"],
            "days_to_due": (o["due_date"] - today).days,
            "production_started": o["production_started_at"] is not None
            or o["status"] in PRODUCTION_STARTED,
            "stock_shortage": shortage[o["id"]] > 0,
            "shortage_qty": shortage[o["id"]],
            "shortage_lines": short_lines[o["id"]],
            "component_shortage": bool(components.get(o["id"])),
            "customer": o["customer__code"],
            "customer_name": o["customer__name"],
            "customer_region": o["customer__region__name"],
            "customer_tier": o["customer__tier"] or "",
            "external_no": o["external_no"],
            "tags": frozenset(tags[o["id"]]),
            "sales_owner_id": o["sales_owner_id"],
            # custom field values as stored, by key (conditions on ``cf.<key>``: rules.custom)
            "custom": o["custom"] or {},
        }
    return out


# what _order_rows reads: the order's own fields, and its customer's under ``values()`` names
_ORDER_COLUMNS = (
    "id", "number", "status", "priority", "channel", "total_amount", "due_date",
    "production_started_at", "external_no", "sales_owner_id", "custom",
)  # fmt: skip
_CUSTOMER_COLUMNS = ("code", "name", "tier")
_NAMES = (*_ORDER_COLUMNS, *(f"customer__{n}" for n in _CUSTOMER_COLUMNS), "customer__region__name")


def _order_rows(ids: list[int]) -> list[dict]:
    """The orders' own facts with their customer's, as ``values()`` would give them. Written out
    (``core.rows`` converts the fields as the ORM does): every order event asks, and building
    the query through the ORM cost more than running it."""
    if not ids:
        return []
    parts = _parts()
    with connection.cursor() as cur:
        cur.execute(_order_rows_sql(len(ids)), ids)
        rows = cur.fetchall()
    out = []
    for row in rows:
        values, start = [], 0
        for part in parts:
            values += part.values(row, start)
            start += part.width
        out.append(dict(zip(_NAMES, values, strict=True)))
    return out


def _parts() -> tuple[Rows, Rows, Rows]:
    from zhongshu.accounts.models import Region
    from zhongshu.customers.models import Customer

    return (
        values_of(Order, "o", _ORDER_COLUMNS),
        values_of(Customer, "c", _CUSTOMER_COLUMNS),
        values_of(Region, "r", ("name",)),
    )


@functools.lru_cache(maxsize=64)
def _order_rows_sql(n: int) -> str:
    from zhongshu.accounts.models import Region
    from zhongshu.customers.models import Customer

    qn = connection.ops.quote_name
    order, customer, region = (qn(m._meta.db_table) for m in (Order, Customer, Region))
    columns = ", ".join(part.columns for part in _parts())
    return (
        f"SELECT {columns} FROM {order} o"
        f" JOIN {customer} c ON c.id = o.{qn('customer_id')}"
        f" LEFT JOIN {region} r ON r.id = c.{qn('region_id')}"
        f" WHERE o.id IN ({placeholders(n)})"
    )


def _component_shortages(ids, short_lines) -> dict[int, list]:
    """The make lines' short components per order, also added to the order's ``short_lines``
    (so messages name them with the stock lines')."""
    from zhongshu.inventory.services.components import shortages

    components = shortages(ids)
    for order_id, rows in components.items():
        short_lines[order_id].extend(rows)
    return components


def customer_facts(changes) -> dict[int, dict]:
    """``{customer_id: facts}`` for tier changes (``analytics.segments.TierChange``): the
    customer's code, name and region, the new and previous tier, the expected next order. One
    query."""
    from zhongshu.customers.models import Customer

    by_id = {c.customer_id: c for c in changes}
    out = {}
    for row in Customer.objects.filter(pk__in=list(by_id)).values(
        "id", "code", "name", "region_id", "region__name"
    ):
        change = by_id[row["id"]]
        out[row["id"]] = {
            "customer": row["code"],
            "customer_name": row["name"],
            "customer_region": row["region__name"],
            "region_id": row["region_id"],
            "tier": change.tier,
            "previous_tier": change.previous_tier or "",
            "expected_next": change.expected_next,
        }
    return out
