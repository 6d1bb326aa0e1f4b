"""The demo's closed history written as it happened, set-based.

Most of the simulated history is over by the day the demo is made: the order was entered,
confirmed, made, inspected, shipped and completed (or cancelled) weeks or months ago. Replaying
each of those orders through the services one transition at a time made seeding take most of a
minute, so the closed ones are written directly — one multi-row insert per table, with the times
the simulation gives — and only the orders still open (or closed only recently) go through the
services. The rows are the ones the replay would leave: the order with every status stamp, its
line, its timeline (one event per transition, by the role that does it), the audit copies; the
apps that keep records of their own (task sheets, inspections, approvals, shipments) write theirs
from the list this returns, through ``core.demo.on_history``.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.core.bulk import Inserter, copy_history
from zhongshu.core.demo import DemoContext

from .models import Order, OrderEvent, OrderLine, money
from .services.numbering import allocate_numbers
from .statuses import OrderStatus

S = OrderStatus
Actions = list[tuple[str, dt.datetime]]
# (action, the order's sales owner) → who did it
ActorOf = Callable[[str, Any], Actor]
# action → (from, to): the status machine's path the simulated orders take
MOVES = {
    "submit": (S.DRAFT, S.PENDING_REVIEW),
    "confirm": (S.PENDING_REVIEW, S.CONFIRMED),
    "schedule": (S.CONFIRMED, S.SCHEDULING),
    "start": (S.SCHEDULING, S.IN_PRODUCTION),
    "finish": (S.IN_PRODUCTION, S.AWAITING_QC),
    "qc_fail": (S.AWAITING_QC, S.IN_PRODUCTION),
    "ship": (S.AWAITING_QC, S.SHIPPED),
    "complete": (S.SHIPPED, S.COMPLETED),
}
STAMPS = {
    "submit": "submitted_at", "confirm": "confirmed_at", "schedule": "scheduled_at",
    "start": "production_started_at", "finish": "production_finished_at",
    "ship": "shipped_at", "complete": "completed_at", "cancel": "cancelled_at",
}  # fmt: skip
ORDER_FIELDS = (
    "number", "customer", "sales_owner", "created_by", "channel", "external_no", "priority",
    "due_date", "status", "subtotal", "tax_amount", "total_amount", "note", "created_at",
    "updated_at", *STAMPS.values(),
)  # fmt: skip


@dataclass
class WrittenOrder:
    """One closed order as written, for the apps that add their own records to it."""

    order_id: int
    number: str
    line_id: int
    line_no: int
    material_id: int
    quantity: Decimal
    customer_id: int
    owner_id: int
    priority: str
    created: dt.datetime
    dated: dict[str, dt.datetime]  # action → when (the first time it happened)
    actions: list[tuple[str, dt.datetime]] = field(default_factory=list)
    approval_minutes: float | None = None


def is_closed(actions: list[tuple[str, dt.datetime]]) -> bool:
    return bool(actions) and actions[-1][0] in ("complete", "cancel")


def write_closed(
    ctx: DemoContext, todo: list[tuple[int, Any, Actions]], actor_of: ActorOf
) -> list[WrittenOrder]:
    """``todo``: (index in the plan, planned order, its actions with times), every one closed.
    ``actor_of(action, owner)``: the user who does the action. Returns what was written."""
    if not todo:
        return []
    products = [m for m in ctx.materials if m.kind == "finished" and m.fulfilment == "make"]
    customers = ctx.customers
    heads, numbers = [], _numbers([p.created for _i, p, _a in todo])
    for (i, p, actions), number in zip(todo, numbers, strict=True):
        customer = customers[p.customer % len(customers)]
        material = products[p.product % len(products)]
        heads.append((i, p, actions, number, customer, material))
    rows = [_order_row(ctx, head) for head in heads]
    system = ctx.users.get("admin")
    Inserter(Order, ORDER_FIELDS, version=len(MOVES)).insert(rows)
    ids = dict(Order.objects.filter(number__in=[h[3] for h in heads]).values_list("number", "id"))
    Inserter(
        OrderLine, ("order", "line_no", "material", "quantity", "unit_price", "amount",
                    "fulfilment", "shipped_quantity"),
    ).insert([
        (ids[number], 1, m.pk, Decimal(p.qty), _price(m), money(Decimal(p.qty) * _price(m)),
         "make", Decimal(p.qty) if _shipped(actions) else Decimal(0))
        for _i, p, actions, number, _c, m in heads
    ])  # fmt: skip
    order_ids = list(ids.values())
    copy_history(Order, "id", order_ids, "+", system.pk if system else None)
    copy_history(OrderLine, "order_id", order_ids, "+", system.pk if system else None)
    lines = dict(OrderLine.objects.filter(order_id__in=order_ids).values_list("order_id", "id"))
    out = []
    events = []
    for _i, p, actions, number, customer, material in heads:
        owner = ctx.sales_by_region[customer.region.name]
        oid = ids[number]
        events.append((oid, owner.pk, p.created, "created", "", S.DRAFT, ""))
        events += _events(oid, owner, actions, actor_of)
        out.append(WrittenOrder(
            order_id=oid, number=number, line_id=lines[oid], line_no=1, material_id=material.pk,
            quantity=Decimal(p.qty), customer_id=customer.pk, owner_id=owner.pk,
            priority=p.priority, created=p.created, dated=_dated(actions), actions=actions,
            approval_minutes=p.approval_minutes,
        ))  # fmt: skip
    Inserter(
        OrderEvent, ("order", "actor", "at", "action", "from_status", "to_status", "note")
    ).insert(events)
    return out


def _numbers(created: list[dt.datetime]) -> list[str]:
    """Numbers from the counter of the year each order was received, in the order received."""
    by_year: dict[int, list[int]] = defaultdict(list)
    for k, at in enumerate(created):
        by_year[at.year].append(k)
    out: list[str] = [""] * len(created)
    for year, idx in sorted(by_year.items()):
        idx.sort(key=lambda k: created[k])
        for k, number in zip(idx, allocate_numbers(year, len(idx)), strict=True):
            out[k] = number
    return out


def _price(material: Material) -> Decimal:
    return material.standard_price or Decimal(0)


def _shipped(actions: Actions) -> bool:
    return any(a == "ship" for a, _at in actions)


def _dated(actions: Actions) -> dict[str, dt.datetime]:
    dated: dict[str, dt.datetime] = {}
    for action, at in actions:
        dated.setdefault(action, at)
    return dated


def _order_row(ctx: DemoContext, head: tuple[Any, ...]) -> tuple[Any, ...]:
    i, p, actions, number, customer, material = head
    owner = ctx.sales_by_region[customer.region.name]
    amount = money(Decimal(p.qty) * _price(material))
    terms = Order()  # computes the totals as a stored order would, never saved
    terms.compute_amounts([type("Line", (), {"amount": amount})()])
    dated = _dated(actions)
    status = S.CANCELLED if "cancel" in dated else S.COMPLETED
    agent = i % 9 == 4  # as the replay: every ninth order came through an agent
    return (
        number, customer.pk, owner.pk, owner.pk, "agent" if agent else "direct",
        f"AG{p.created:%Y%m%d}{i:04d}" if agent else "", p.priority, p.due, status,
        terms.subtotal, terms.tax_amount, terms.total_amount, "", p.created, actions[-1][1],
        *(dated.get(action) for action in STAMPS),
    )  # fmt: skip


def _events(oid: int, owner: Any, actions: Actions, actor_of: ActorOf) -> list[tuple[Any, ...]]:
    rows = []
    state = S.DRAFT
    for action, at in actions:
        if action == "cancel":
            target = S.CANCELLED
        else:
            _source, target = MOVES[action]
        note = {"qc_fail": "外径超差 0.02mm，返工", "cancel": "客户取消订单"}.get(action, "")
        actor = actor_of(action, owner)
        rows.append((oid, actor.pk if actor else None, at, action, state, target, note))
        state = target
    return rows
