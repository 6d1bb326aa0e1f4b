"""Past orders written as what they are: closed orders with their real dates.

A factory going live loads the orders of the years before (SPEC §8, §9): the effect report's
"before", the forecast and the customer tiers are computed from them. They are history, not new
business, so this path writes the closed order directly — completed or cancelled, stamped with the
day it was received, confirmed, shipped, completed or cancelled — and bypasses the hooks on purpose:
no rule fires, nobody is notified, no stock is reserved, no task sheet or channel report is made.
Every timeline event carries the note "imported history" and ``data["imported"]``, so a reader can
tell a loaded past from what happened in the system.

The writes are set-based like ``orders.bulk.orders_create_many``: one counter increment per year
of order dates, one multi-row insert (``COPY`` on PostgreSQL) per table, the audit rows copied by
the database (``copy_history``).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.bulk import Inserter, copy_history
from zhongshu.core.errors import ValidationFailed

from ..models import Order, OrderEvent, OrderLine, money
from ..statuses import Channel, OrderStatus, Priority
from .numbering import allocate_numbers
from .rules import MAX_LINES, amount_problem, line_count_problem, totals_problem

S = OrderStatus
# an order's subtotal, tax and total
Totals = tuple[Decimal, Decimal, Decimal]
# the time of day a past date is stamped with: noon, so the local day is the same in any zone
STAMP_TIME = dt.time(12, 0)
IMPORTED = {"imported": True}


@dataclass(slots=True)
class PastLine:
    material_id: int
    quantity: Decimal
    unit_price: Decimal
    fulfilment: str


@dataclass(slots=True)
class PastOrder:
    """One order of the past. Closed: either cancelled (``cancelled_on``) or shipped
    (``shipped_on``; completed on ``completed_on``, else on the day it shipped)."""

    customer_id: int
    external_no: str
    ordered_on: dt.date
    due_date: dt.date
    lines: list[PastLine]
    confirmed_on: dt.date | None = None
    shipped_on: dt.date | None = None
    completed_on: dt.date | None = None
    cancelled_on: dt.date | None = None
    priority: str = Priority.NORMAL
    sales_owner_id: int | None = None
    note: str = ""
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return S.CANCELLED if self.cancelled_on else S.COMPLETED


def timeline_problems(
    *,
    ordered_on: dt.date,
    confirmed_on: dt.date | None,
    shipped_on: dt.date | None,
    completed_on: dt.date | None,
    cancelled_on: dt.date | None,
    today: dt.date,
) -> dict[str, str]:
    """What makes a past order's dates impossible, by field: a closed order (cancelled, or
    shipped/completed), each date on or after the one before it, none in the future."""
    out: dict[str, str] = {}
    dates = {
        "ordered_on": ordered_on, "confirmed_on": confirmed_on, "shipped_on": shipped_on,
        "completed_on": completed_on, "cancelled_on": cancelled_on,
    }  # fmt: skip
    for name, value in dates.items():
        if value is not None and value > today:
            out[name] = _("%(d)s is in the future; history ends today.") % {"d": value}
    if cancelled_on and (shipped_on or completed_on):
        out["cancelled_on"] = _("A cancelled order cannot also be shipped or completed.")
    elif not cancelled_on and not shipped_on and not completed_on:
        out["shipped_on"] = _(
            "A past order is closed: give the day it shipped or completed, or the day it was "
            "cancelled. Open orders go through the order import."
        )
    ladder = [
        ("confirmed_on", confirmed_on, _("Confirmation date")),
        ("shipped_on", shipped_on, _("Ship date")),
        ("completed_on", completed_on, _("Completion date")),
        ("cancelled_on", cancelled_on, _("Cancellation date")),
    ]
    before, before_label = ordered_on, _("Order date")
    for name, value, label in ladder:
        if value is None or name in out:
            continue
        if value < before:
            out[name] = _("%(this)s %(d)s is before %(that)s %(b)s.") % {
                "this": label, "d": value, "that": before_label, "b": before,
            }  # fmt: skip
        elif name != "cancelled_on":
            before, before_label = value, label
    return out


class _Stamps(dict[dt.date | None, dt.datetime | None]):
    """Day → the instant it is stamped with (noon, current time zone), each day built once: a
    chunk of history has thousands of stamps from a few hundred days."""

    def __init__(self) -> None:
        super().__init__()
        self.tz = timezone.get_current_timezone()

    def __missing__(self, day: dt.date | None) -> dt.datetime | None:
        at = None if day is None else dt.datetime.combine(day, STAMP_TIME, tzinfo=self.tz)
        self[day] = at
        return at


def _check(
    spec: PastOrder, today: dt.date, terms_of: dict[tuple[Decimal, Decimal], Order]
) -> tuple[dict[str, str], Totals]:
    problems = timeline_problems(
        ordered_on=spec.ordered_on, confirmed_on=spec.confirmed_on, shipped_on=spec.shipped_on,
        completed_on=spec.completed_on, cancelled_on=spec.cancelled_on, today=today,
    )  # fmt: skip
    problem = line_count_problem(len(spec.lines))
    if problem:
        problems["lines"] = problem
    amounts = []
    for n, ln in enumerate(spec.lines[:MAX_LINES]):
        problem = amount_problem(ln.quantity, ln.unit_price)
        if ln.quantity <= 0:
            problems[f"lines[{n}].quantity"] = _("Must be greater than 0.")
        elif problem:
            problems[f"lines[{n}].amount"] = problem
        else:
            amounts.append(SimpleNamespace(amount=money(ln.quantity * ln.unit_price)))
    rates = (Decimal(spec.values.get("discount_rate", 0)), Decimal(spec.values.get("tax_rate", 13)))
    terms = terms_of.get(rates)
    if terms is None:  # never saved: it only computes the totals as a stored order would
        terms = terms_of[rates] = Order(discount_rate=rates[0], tax_rate=rates[1])
    terms.compute_amounts(amounts)
    totals = (terms.subtotal, terms.tax_amount, terms.total_amount)
    if "lines" not in problems:
        problem = totals_problem(totals)
        if problem:
            problems["lines"] = problem
    return problems, totals


ORDER_FIELDS = (
    "number", "customer", "sales_owner", "external_no", "priority", "due_date", "status",
    "subtotal", "tax_amount", "total_amount", "note", "created_at", "updated_at", "submitted_at",
    "confirmed_at", "shipped_at", "completed_at", "cancelled_at",
)  # fmt: skip


def orders_record_history(
    *, actor: Actor, orders: list[PastOrder]
) -> list[Order | ValidationFailed]:
    """Write past orders, closed, with their real dates, in the caller's transaction. Returns, in
    the order given, each written ``Order`` (id, number, status and dates as stored) or the
    ``ValidationFailed`` that refused it. Fires no hook: see the module docstring."""
    permissions.require(actor, "orders.create")
    today = timezone.localdate()
    results: list[Order | ValidationFailed | None] = [None] * len(orders)
    totals: dict[int, Totals] = {}
    terms_of: dict[tuple[Decimal, Decimal], Order] = {}  # one calculator per (discount, tax rate)
    for i, spec in enumerate(orders):
        problems, totals[i] = _check(spec, today, terms_of)
        if problems:
            results[i] = ValidationFailed(problems)
    todo = [i for i, r in enumerate(results) if r is None]
    if not todo:
        return results  # type: ignore[return-value]
    numbers = _numbers(orders, todo)
    at = _Stamps()
    rows = [_order_row(orders[i], numbers[i], totals[i], actor, at) for i in todo]
    Inserter(Order, ORDER_FIELDS, created_by_id=actor.pk, channel=Channel.IMPORT, version=1).insert(
        rows
    )
    ids = _ids(numbers[i] for i in todo)
    _write_lines(orders, todo, numbers, ids)
    order_ids = [ids[numbers[i]] for i in todo]
    copy_history(Order, "id", order_ids, "+", actor.pk)
    copy_history(OrderLine, "order_id", order_ids, "+", actor.pk)
    _write_events(orders, todo, numbers, ids, actor, at)
    names = [f for f in ORDER_FIELDS if f not in ("customer", "sales_owner")]
    for i, row in zip(todo, rows, strict=True):
        values = dict(zip(ORDER_FIELDS, row, strict=True))
        order = Order(
            id=ids[numbers[i]], customer_id=values["customer"],
            sales_owner_id=values["sales_owner"], created_by_id=actor.pk,
            channel=Channel.IMPORT, **{k: values[k] for k in names},
        )  # fmt: skip
        order._state.adding = False
        results[i] = order
    return results  # type: ignore[return-value]


def _numbers(orders: list[PastOrder], todo: list[int]) -> dict[int, str]:
    """Numbers from the counter of the year each order was received (SO-2024-… for 2024)."""
    by_year: dict[int, list[int]] = defaultdict(list)
    for i in todo:
        by_year[orders[i].ordered_on.year].append(i)
    out: dict[int, str] = {}
    for year, idx in sorted(by_year.items()):
        idx.sort(key=lambda i: (orders[i].ordered_on, i))
        out.update(zip(idx, allocate_numbers(year, len(idx)), strict=True))
    return out


def _order_row(
    spec: PastOrder, number: str, totals: Totals, actor: Actor, at: _Stamps
) -> tuple[Any, ...]:  # a row of column values, as ORDER_FIELDS lists them
    shipped = spec.shipped_on or spec.completed_on
    completed = spec.completed_on or spec.shipped_on if not spec.cancelled_on else None
    confirmed = spec.confirmed_on
    last = spec.cancelled_on or completed or spec.ordered_on
    return (
        number, spec.customer_id, spec.sales_owner_id or actor.pk, spec.external_no,
        spec.priority, spec.due_date, spec.status, *totals, spec.note, at[spec.ordered_on],
        at[last], at[confirmed or (shipped if not spec.cancelled_on else None)],
        at[confirmed], at[shipped if not spec.cancelled_on else None], at[completed],
        at[spec.cancelled_on],
    )  # fmt: skip


def _ids(numbers: Iterable[str]) -> dict[str, int]:
    numbers = list(numbers)
    ids: dict[str, int] = {}
    for k in range(0, len(numbers), 2000):
        part = numbers[k : k + 2000]
        ids.update(Order.objects.filter(number__in=part).values_list("number", "id"))
    return ids


LINE_FIELDS = (
    "order", "line_no", "material", "quantity", "unit_price", "amount", "fulfilment",
    "shipped_quantity",
)  # fmt: skip


def _write_lines(
    orders: list[PastOrder], todo: list[int], numbers: dict[int, str], ids: dict[str, int]
) -> None:
    rows = []
    for i in todo:
        spec = orders[i]
        shipped = not spec.cancelled_on
        for no, ln in enumerate(spec.lines, 1):
            rows.append((
                ids[numbers[i]], no, ln.material_id, ln.quantity, ln.unit_price,
                money(ln.quantity * ln.unit_price), ln.fulfilment,
                ln.quantity if shipped else Decimal(0),
            ))  # fmt: skip
    Inserter(OrderLine, LINE_FIELDS).insert(rows)


def _events(spec: PastOrder) -> Iterator[tuple[str, str, str, dt.date | None]]:
    """The timeline of a past order: (action, from, to, day)."""
    yield "created", "", S.DRAFT, spec.ordered_on
    state = S.DRAFT
    if spec.confirmed_on:
        yield "confirm", S.PENDING_REVIEW, S.CONFIRMED, spec.confirmed_on
        state = S.CONFIRMED
    if spec.cancelled_on:
        yield "cancel", state, S.CANCELLED, spec.cancelled_on
        return
    shipped = spec.shipped_on or spec.completed_on
    yield "ship", state, S.SHIPPED, shipped
    yield "complete", S.SHIPPED, S.COMPLETED, spec.completed_on or shipped


def _write_events(
    orders: list[PastOrder],
    todo: list[int],
    numbers: dict[int, str],
    ids: dict[str, int],
    actor: Actor,
    at: _Stamps,
) -> None:
    note = _("Imported history")
    rows = [
        (ids[numbers[i]], action, src, dst, at[day])
        for i in todo
        for action, src, dst, day in _events(orders[i])
    ]
    Inserter(
        OrderEvent, ("order", "action", "from_status", "to_status", "at"),
        actor_id=actor.pk, note=note, data=IMPORTED,
    ).insert(rows)  # fmt: skip
