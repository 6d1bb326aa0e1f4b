"""A condition tree → a Django ``Q`` (scheduled scans, set-based)."""

import datetime as dt
from typing import Any

from django.db.models import (
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhongshu.catalog.models import Fulfilment
from zhongshu.orders.models import OrderLine

from .fields import CUSTOM_PREFIX, FIELDS, PRODUCTION_STARTED, TEXT, _parse

QTY = DecimalField(max_digits=16, decimal_places=3)
TRUE_Q = ~Q(pk__in=[])  # "true" that stays true under negation (~Q() would not)
FALSE_Q = Q(pk__in=[])


def shortage_lines(order_ref="pk"):
    """Stock lines of the outer order that still need more than the default warehouse has
    available, annotated with ``short`` (the missing quantity)."""
    from zhongshu.inventory.models import Reservation, ReservationStatus, StockLevel

    held = (
        Reservation.objects.filter(order_line=OuterRef("pk"), status=ReservationStatus.ACTIVE)
        .order_by()
        .values("order_line")
        .annotate(s=Sum("quantity"))
        .values("s")
    )
    available = (
        StockLevel.objects.filter(material=OuterRef("material"), warehouse__is_default=True)
        .order_by()  # (material, warehouse) is unique: no sort, no join to order by codes
        .values(a=F("on_hand") - F("reserved"))[:1]
    )
    return (
        OrderLine.objects.filter(order=OuterRef(order_ref), fulfilment=Fulfilment.STOCK)
        .annotate(
            held_qty=Coalesce(Subquery(held, output_field=QTY), Value(0), output_field=QTY),
            avail_qty=Coalesce(Subquery(available, output_field=QTY), Value(0), output_field=QTY),
        )
        .annotate(
            short=F("quantity") - F("shipped_quantity") - F("held_qty") - F("avail_qty"),
        )
        .filter(short__gt=0)
    )


def _shortage_qty_expr():
    total = shortage_lines().order_by().values("order").annotate(t=Sum("short")).values("t")
    return Coalesce(Subquery(total, output_field=QTY), Value(0), output_field=QTY)


def _started_q() -> Q:
    return Q(production_started_at__isnull=False) | Q(status__in=PRODUCTION_STARTED)


def _cmp(path: str, op: str, value: Any) -> Q:
    if op == "eq":
        return Q(**{path: value})
    if op == "ne":
        return ~Q(**{path: value})
    if op in ("lt", "lte", "gt", "gte"):
        return Q(**{f"{path}__{op}": value})
    if op == "in":
        return Q(**{f"{path}__in": value})
    if op == "not_in":
        return ~Q(**{f"{path}__in": value})
    raise AssertionError(op)


def to_q(
    tree: dict, *, today: dt.date | None = None, definitions: dict | None = None
) -> tuple[Q, dict]:
    """Compile a validated tree to ``(Q, annotations)``; apply the annotations first.
    ``definitions``: the custom field definitions by key (read when the tree needs them)."""
    from .. import custom

    today = today or timezone.localdate()
    if definitions is None:
        definitions = custom.all_definitions() if custom.used(tree) else {}
    annotations: dict = {}
    return _q(tree, today, annotations, definitions), annotations


def _q(node: dict, today: dt.date, ann: dict, defs: dict) -> Q:
    if "all" in node:
        if not node["all"]:
            return TRUE_Q
        q = _q(node["all"][0], today, ann, defs)
        for child in node["all"][1:]:
            q &= _q(child, today, ann, defs)
        return q
    if "any" in node:
        if not node["any"]:
            return FALSE_Q
        q = _q(node["any"][0], today, ann, defs)
        for child in node["any"][1:]:
            q |= _q(child, today, ann, defs)
        return q
    if "not" in node:
        return ~_q(node["not"], today, ann, defs)
    if node["field"].startswith(CUSTOM_PREFIX):
        from .. import custom

        return custom.to_q(node, defs, ann)
    f = FIELDS[node["field"]]
    op = node["op"]
    value = node["value"] if op == "is_null" else _parse(f, node["value"])
    name = f.name
    if name == "days_to_due":
        # compare the due date with today + n: index-friendly and the same on every database
        if isinstance(value, list):
            value = [today + dt.timedelta(days=v) for v in value]
        else:
            value = today + dt.timedelta(days=value)
        return _cmp("due_date", op, value)
    if name == "production_started":
        return _started_q() if (value if op == "eq" else not value) else ~_started_q()
    if name == "stock_shortage":
        ann["_rule_shortage"] = Exists(shortage_lines())
        return Q(_rule_shortage=value) if op == "eq" else ~Q(_rule_shortage=value)
    if name == "component_shortage":
        # bills of materials are exploded in Python (any depth): the orders it holds for now
        from zhongshu.inventory.services.components import orders_short

        q = Q(pk__in=sorted(orders_short()))
        return q if (value if op == "eq" else not value) else ~q
    if name == "shortage_qty":
        ann["_rule_shortage_qty"] = _shortage_qty_expr()
        return _cmp("_rule_shortage_qty", op, value)
    if name == "tags":
        from ..models import OrderTag

        tags = OrderTag.objects.filter(order=OuterRef("pk"), kind=OrderTag.Kind.TAG)
        if op == "contains":
            return Q(Exists(tags.filter(tag=value)))
        return ~Q(Exists(tags)) if value else Q(Exists(tags))
    if op == "contains":
        return Q(**{f"{f.path}__icontains": value})
    if op == "is_null":
        empty = Q(**{f.path: ""}) if f.type == TEXT else Q(**{f"{f.path}__isnull": True})
        return empty if value else ~empty
    return _cmp(f.path, op, value)


def filter_orders(qs, tree: dict, *, today: dt.date | None = None):
    q, annotations = to_q(tree, today=today)
    if annotations:
        qs = qs.alias(**annotations)
    return qs.filter(q)
