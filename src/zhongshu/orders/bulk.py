"""Creating and moving many orders at once — the imports' commit and the channel sync.

``orders_create_many`` writes, for a whole list of orders, exactly what ``order_create`` writes for
one: the number from the gapless counter, the draft order, its lines, the "created" timeline event,
the audit history (the order saved before its lines with zero totals "+", the lines "+", the order
with its totals "~") and, after commit, the "created" hooks. ``orders_transition_many`` does the
same for ``order_transition``: the status, version and timestamp, the history row, the timeline
event, the guards' refusals per order and the after-commit hooks.

Both run inside the caller's transaction in a fixed number of statements per chunk of orders
instead of a dozen per order: one query each for the customers and materials still usable, one
counter increment, one ``COPY``/multi-row insert per table (``core.bulk``), ``INSERT … SELECT`` for
the history. Columns are taken from the models, so a field added to ``Order`` later is written
too (its default, or the value given in ``NewOrder.values``).

The rules are not restated here: orders are checked by the functions of ``services.rules``,
lines are built by ``services.lines.build_line``, and a move is refused by the ladder and the
built-in guards of ``services.transitions`` — the same code ``order_create`` and
``order_transition`` run for one order.

What cannot be done for a list keeps its one-by-one path: a transition whose action has effects
(they may change what the next order's guards see — stock reserved by one order is not available
to the next) or guards that cannot judge a list goes through ``order_transition``, one savepoint per
order.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.core.bulk import Inserter
from zhongshu.core.errors import DomainError, NotFound, ValidationFailed
from zhongshu.core.text import normalize_text
from zhongshu.customers.models import Customer

from . import hooks
from .models import Order, OrderEvent, OrderLine, money
from .services.lines import build_line
from .services.numbering import allocate_numbers
from .services.rules import (
    MAX_LINES,
    amount_problem,
    customer_problem,
    due_problem,
    line_count_problem,
    material_problem,
    totals_problem,
)
from .services.transitions import (
    builtin_guards,
    order_transition,
    refusal,
    transition_for,
)
from .statuses import OrderStatus

log = logging.getLogger(__name__)

CHUNK = 500  # ids per IN (...) list
TOTALS = ("subtotal", "tax_amount", "total_amount")


@dataclass(slots=True)
class NewLine:
    material_id: int
    quantity: Decimal
    unit_price: Decimal
    fulfilment: str = ""  # empty: the material's
    note: str = ""
    custom: dict = field(default_factory=dict)  # custom field values, already checked


@dataclass(slots=True)
class NewOrder:
    """One order to create. ``values``: any other ``Order`` field by name (external_no, priority,
    payment_terms, note …), already cleaned by the caller; fields given neither here nor in the
    call's ``common`` take their model default, as in ``order_create``."""

    customer_id: int
    due_date: dt.date
    lines: list[NewLine]
    values: dict[str, Any] = field(default_factory=dict)


def _chunks(seq, n: int = CHUNK):
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


# --- creation -------------------------------------------------------------------------------------


def orders_create_many(
    *,
    actor,
    orders: list[NewOrder],
    price_fields: Iterable[str] = (),
    allow_past_due: bool = False,
    **common,
) -> list[Order | ValidationFailed]:
    """Create draft orders in the caller's transaction. Returns, in the order given, each created
    ``Order`` or the ``ValidationFailed`` that refused it (nothing is written for a refused one).

    ``price_fields``: the price fields the caller sets (``unit_price``, ``payment_terms`` …); the
    actor's field permissions must allow them, as in ``order_create``. ``common``: ``Order`` field
    values shared by every order (e.g. ``channel``)."""
    permissions.require(actor, "orders.create")
    permissions.require_fields(actor, "order", list(price_fields))
    results: list[Order | ValidationFailed | None] = [None] * len(orders)
    fulfilment, totals = _check(
        actor, orders, results, _rates(common), allow_past_due=allow_past_due, new_customers=False
    )
    todo = [i for i, r in enumerate(results) if r is None]
    if not todo:
        return results  # type: ignore[return-value]

    numbers = allocate_numbers(timezone.localdate().year, len(todo))
    meta = Order._meta
    keys = sorted({k for i in todo for k in orders[i].values})
    defaults = {k: common.get(k, meta.get_field(k).get_default()) for k in keys}
    order_rows, line_rows = [], []
    for number, i in zip(numbers, todo, strict=True):
        spec = orders[i]
        values = {**defaults, **spec.values}
        line_rows.extend((number, _line(no, ln, fulfilment)) for no, ln in enumerate(spec.lines, 1))
        order_rows.append(
            (number, spec.customer_id, spec.due_date, *totals[i], *(values[k] for k in keys))
        )
    fixed = {k: v for k, v in common.items() if k not in keys}
    inserter = Inserter(
        Order,
        ("number", "customer", "due_date", *TOTALS, *keys),
        **{"sales_owner_id": actor.pk, "created_by_id": actor.pk, "status": OrderStatus.DRAFT,
           **fixed},
    )  # fmt: skip
    inserter.insert(order_rows)
    ids = _ids_by_number(numbers)
    order_ids = [ids[n] for n in numbers]
    _write_created(actor, order_ids, [(ids[number], line) for number, line in line_rows])

    # the instances as written (what ``order_create`` returns), without reading them back
    names = [f.attname for f in inserter.varying]
    created = []
    for i, oid, row in zip(todo, order_ids, order_rows, strict=True):
        order = Order(id=oid, **inserter.fixed_python, **dict(zip(names, row, strict=True)))
        order._state.adding, order._state.db = False, connection.alias
        results[i] = order
        created.append(order)
    after_commit_many(
        [
            hooks.TransitionContext(
                actor=actor, order=o, action="created", from_status=o.status, to_status=o.status
            )
            for o in created
        ]
    )
    return results  # type: ignore[return-value]


LINE_COLUMNS = (
    "order", "line_no", "material", "quantity", "unit_price", "amount", "fulfilment", "note",
    "custom",
)  # fmt: skip


def _line(no: int, ln: NewLine, fulfilment: dict[int, str]) -> OrderLine:
    return build_line(
        line_no=no,
        material_id=ln.material_id,
        quantity=ln.quantity,
        unit_price=ln.unit_price,
        fulfilment=ln.fulfilment or fulfilment[ln.material_id],
        note=ln.note,
        custom=ln.custom,
    )


def _write_created(actor, order_ids: list[int], lines: list[tuple[int, OrderLine]]) -> None:
    """The lines, audit trail and timeline of orders just inserted: the trail ``order_create``
    leaves (the order saved before its lines with totals 0, the lines, then the order with its
    totals) and the "created" event."""
    Inserter(OrderLine, LINE_COLUMNS).insert(
        [
            (oid, ln.line_no, ln.material_id, ln.quantity, ln.unit_price, ln.amount,
             ln.fulfilment, ln.note, ln.custom)
            for oid, ln in lines
        ]
    )  # fmt: skip
    user = actor.pk if getattr(actor, "pk", None) else _implicit_history_user()
    copy_history(Order, "id", order_ids, "+", user, override=dict.fromkeys(TOTALS, 0))
    copy_history(OrderLine, "order_id", order_ids, "+", user)
    copy_history(Order, "id", order_ids, "~", user)
    Inserter(
        OrderEvent, ("order",), actor_id=actor.pk, action="created",
        to_status=OrderStatus.DRAFT, data={},
    ).insert([(oid,) for oid in order_ids])  # fmt: skip


def _rates(common: dict) -> dict[str, Decimal]:
    return {
        k: Decimal(common.get(k, Order._meta.get_field(k).get_default()))
        for k in ("discount_rate", "tax_rate")
    }


def check_many(
    *, actor, orders: list[NewOrder], allow_past_due: bool = False, **common
) -> list[ValidationFailed | None]:
    """The refusals ``orders_create_many`` would give, without writing anything. An order whose
    ``customer_id`` is None is checked as for a customer still to be created (active, in scope):
    callers create customers only for orders that can be created."""
    results: list = [None] * len(orders)
    _check(
        actor, orders, results, _rates(common), allow_past_due=allow_past_due, new_customers=True
    )
    return results


def _check(
    actor, orders: list[NewOrder], results: list, rates: dict, *, allow_past_due: bool,
    new_customers: bool,
):  # fmt: skip
    """What ``order_create`` refuses, by the same rules (``services.rules``), for every order at
    once (one query for the customers, one for the materials); fills ``results`` with the
    refusals. Returns the materials' fulfilment and each order's totals by position."""
    customers = _customers(actor, {o.customer_id for o in orders} - {None})
    materials = {}
    for part in _chunks({ln.material_id for o in orders for ln in o.lines}):
        materials.update(
            (pk, (code, active, fulfilment))
            for pk, code, active, fulfilment in Material.objects.filter(pk__in=part).values_list(
                "pk", "code", "is_active", "fulfilment"
            )
        )
    today = timezone.localdate()
    totals: dict[int, tuple] = {}
    for i, spec in enumerate(orders):
        errors: dict[str, str] = {}
        if spec.customer_id is None:
            if not new_customers:
                errors["customer"] = _("This field is required.")
        else:
            code, active = customers[spec.customer_id]
            _put(errors, "customer", customer_problem(code, active))
        _put(errors, "due_date", due_problem(spec.due_date, allow_past=allow_past_due, today=today))
        _put(errors, "lines", line_count_problem(len(spec.lines)))
        amounts = _check_lines(spec.lines, materials, errors)
        terms = SimpleNamespace(
            discount_rate=Decimal(spec.values.get("discount_rate", rates["discount_rate"])),
            tax_rate=Decimal(spec.values.get("tax_rate", rates["tax_rate"])),
        )
        Order.compute_amounts(terms, amounts)
        totals[i] = tuple(getattr(terms, t) for t in TOTALS)
        if "lines" not in errors:
            _put(errors, "lines", totals_problem(totals[i]))
        if errors:
            results[i] = ValidationFailed(errors)
    return {pk: f for pk, (_c, _a, f) in materials.items()}, totals


def _put(errors: dict[str, str], field: str, problem: str | None) -> None:
    if problem:
        errors[field] = problem


def _customers(actor, ids: set) -> dict[Any, tuple[Any, bool | None]]:
    """By id: (code, is_active), with None for a customer unknown or out of the actor's scope."""
    out: dict[Any, tuple[Any, bool | None]] = {pk: (pk, None) for pk in ids}
    for part in _chunks(ids):
        for pk, active, code in permissions.scope_customers(
            actor, Customer.objects.filter(pk__in=part)
        ).values_list("pk", "is_active", "code"):
            out[pk] = (code, active)
    unknown = [pk for pk, (_c, active) in out.items() if active is None]
    for part in _chunks(unknown):
        for pk, code in Customer.objects.filter(pk__in=part).values_list("pk", "code"):
            out[pk] = (code, None)
    return out


def _check_lines(lines: list[NewLine], materials: dict, errors: dict[str, str]) -> list:
    amounts = []
    for n, ln in enumerate(lines[:MAX_LINES]):
        prefix = f"lines[{n}]"
        code, is_active, _f = materials.get(ln.material_id, (ln.material_id, None, None))
        _put(errors, f"{prefix}.material", material_problem(code, is_active))
        if ln.quantity <= 0:
            errors[f"{prefix}.quantity"] = _("Must be greater than 0.")
        if ln.unit_price < 0:
            errors[f"{prefix}.unit_price"] = _("Must be at least %(v)s.") % {"v": 0}
        problem = amount_problem(ln.quantity, ln.unit_price)
        if problem:
            errors[f"{prefix}.amount"] = problem
        else:
            amounts.append(SimpleNamespace(amount=money(ln.quantity * ln.unit_price)))
    return amounts


def _ids_by_number(numbers: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for part in _chunks(numbers, 2000):
        ids.update(Order.objects.filter(number__in=part).values_list("number", "id"))
    return ids


def _implicit_history_user() -> int | None:
    """The history user ``save()`` records for an instance nobody stamped: the signed-in user of
    the current request, if any (simple_history's default)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def copy_history(model, key: str, ids, history_type: str, user_id, *, override=None) -> None:
    """simple_history's rows for records just written, copied by the database itself
    (``INSERT … SELECT``, one statement per 500 records): the same rows ``save()`` would add.
    ``override``: fixed values for some fields (a state the record had earlier in the same
    transaction)."""
    history = model.history.model
    override = override or {}
    own = {f.column for f in model._meta.concrete_fields}
    cols, exprs = [], []
    for f in history._meta.concrete_fields:
        if f.column in own:
            cols.append(f.column)
            exprs.append("%s" if f.name in override else qn(f.column))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    head = (
        f"INSERT INTO {qn(history._meta.db_table)} "
        f"({', '.join(map(qn, cols))}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {', '.join(exprs)}, %s, NULL, %s, %s "
        f"FROM {qn(model._meta.db_table)} WHERE {qn(key)} IN "
    )
    fixed = [override[f.name] for f in history._meta.concrete_fields if f.name in override]
    with connection.cursor() as cur:
        for part in _chunks(ids):
            sql = head + f"({', '.join(['%s'] * len(part))}) ORDER BY {qn(model._meta.pk.column)}"
            cur.execute(sql, [*fixed, now, history_type, user_id, *part])


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def after_commit_many(ctxs: list[hooks.TransitionContext]) -> None:
    """The after-commit hooks of many orders, once the caller's transaction committed. The
    batchable ones (``hooks.on_commit_many``: rules checks, activity counters) get the whole list
    at once; listeners that are not batchable run per order, each in a savepoint, so a failing one
    is logged and undone alone, as after a single order. All of it in one transaction instead of
    one autocommit (one disk flush) per statement of every listener."""
    if ctxs:
        transaction.on_commit(lambda: _run_after_commit(ctxs))


def _run_after_commit(ctxs: list[hooks.TransitionContext]) -> None:
    per_order = {ctx.action for ctx in ctxs if hooks.has_per_order_hooks(ctx.action)}
    with transaction.atomic(), hooks.batch():
        for ctx in ctxs:
            if ctx.action not in per_order:
                hooks.run_after_commit(ctx)  # only collects the context for the batch
                continue
            try:
                with transaction.atomic():
                    hooks.run_after_commit(ctx)
            except DatabaseError:
                log.exception("order hooks failed for order %s", ctx.order.pk)


# --- transitions ----------------------------------------------------------------------------------


@dataclass
class Moved:
    """What ``orders_transition_many`` did: the orders moved (locked, as saved) and the refused
    ones by id with the error ``order_transition`` would have raised."""

    moved: list[Order]
    refused: dict[int, DomainError]


def orders_transition_many(
    *,
    actor,
    order_ids: Iterable[int] = (),
    action: str,
    note: str = "",
    data: dict | None = None,
    system: bool = False,
    orders: list[Order] | None = None,
) -> Moved:
    """``order_transition`` for many orders in the caller's transaction. Each order is moved or
    refused on its own (a refusal leaves that order untouched); the checks, their order and their
    errors are those of ``order_transition``. ``system=True`` skips the role checks (automatic
    moves). ``orders`` instead of ``order_ids``, for system moves only: instances the caller
    holds as they are stored and locked in this transaction (just created by
    ``orders_create_many``), which are then not read again."""
    if orders is not None:
        if not system:
            raise ValueError("orders= is for system moves; pass order_ids")
        order_ids = [o.pk for o in orders]
    transition = transition_for(action)
    if not system:
        permissions.require(actor, "orders.view")
    note = normalize_text(note)
    ids = list(dict.fromkeys(order_ids))
    # ship has effects (and stock moves that change what the next order may ship)
    if not hooks.batchable(action) or action == "ship":
        return _one_by_one(actor, ids, action, note, data, system)

    found = _lock(actor, ids, system) if orders is None else {o.pk: o for o in orders}
    refused: dict[int, DomainError] = {}
    ctxs: list[hooks.TransitionContext] = []
    for oid in ids:
        order = found.get(oid)
        why = (
            NotFound() if order is None else refusal(actor, order, transition, note, system=system)
        )
        if why is not None:
            refused[oid] = why
            continue
        ctxs.append(
            hooks.TransitionContext(
                actor=actor, order=order, action=action, from_status=order.status,
                to_status=transition.target, note=note, data=data or {},
            )
        )  # fmt: skip
    blocked = builtin_guards(ctxs)
    rest = [c for i, c in enumerate(ctxs) if i not in blocked]
    by_hooks = hooks.run_guards_many(rest)
    for i, exc in blocked.items():
        refused[ctxs[i].order.pk] = exc  # type: ignore[assignment]
    for i, exc in by_hooks.items():
        refused[rest[i].order.pk] = exc  # type: ignore[assignment]
    go = [c for i, c in enumerate(rest) if i not in by_hooks]
    _write_transition(actor, go, transition, note, data or {}, system)
    after_commit_many(go)
    return Moved(moved=[c.order for c in go], refused=refused)


def _lock(actor, ids: list[int], system: bool) -> dict[int, Order]:
    out: dict[int, Order] = {}
    for part in _chunks(ids, 2000):
        qs = Order.objects.select_for_update(of=("self",)).filter(pk__in=part).order_by("pk")
        if not system:
            qs = permissions.scope_orders(actor, qs)
        out.update((o.pk, o) for o in qs)
    return out


def _write_transition(actor, ctxs, transition, note: str, data: dict, system: bool) -> None:
    if not ctxs:
        return
    now = timezone.now()
    ids = [c.order.pk for c in ctxs]
    update: dict[str, Any] = {
        "status": transition.target,
        "version": F("version") + 1,
        "updated_at": now,
    }
    stamp = transition.timestamp_field
    if stamp:
        update[stamp] = Coalesce(F(stamp), Value(now))
    for part in _chunks(ids):
        Order.objects.filter(pk__in=part).update(**update)
    for ctx in ctxs:  # the instances as the database now has them
        order = ctx.order
        order.status, order.version, order.updated_at = transition.target, order.version + 1, now
        if stamp and getattr(order, stamp) is None:
            setattr(order, stamp, now)
    # order_transition stamps the actor only when it is not a system move
    user = actor.pk if not system and getattr(actor, "pk", None) else _implicit_history_user()
    copy_history(Order, "id", ids, "~", user)
    Inserter(
        OrderEvent, ("order", "from_status"), actor_id=getattr(actor, "pk", None),
        action=transition.action, note=note, to_status=transition.target, data=data,
    ).insert([(c.order.pk, c.from_status) for c in ctxs])  # fmt: skip


def _one_by_one(actor, ids, action, note, data, system) -> Moved:
    moved, refused = [], {}
    for oid in ids:
        try:
            with transaction.atomic():
                moved.append(
                    order_transition(
                        actor=actor, order_id=oid, action=action, note=note, data=data,
                        system=system,
                    )
                )  # fmt: skip
        except DomainError as exc:
            refused[oid] = exc
    return Moved(moved=moved, refused=refused)
