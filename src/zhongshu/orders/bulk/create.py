"""``orders_create_many`` and ``check_many``: many orders created (or only checked) at once."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.core.bulk import Inserter, chunks, copy_history, history_user_id
from zhongshu.core.errors import ValidationFailed
from zhongshu.customers.models import Customer

from .. import hooks
from ..models import Order, OrderEvent, OrderLine, money
from ..services.lines import build_line
from ..services.numbering import allocate_numbers
from ..services.rules import (
    MAX_LINES,
    amount_problem,
    customer_problem,
    due_problem,
    line_count_problem,
    material_problem,
    totals_problem,
)
from ..statuses import OrderStatus
from .common import (
    TOTALS,
    _ids_by_number,
    after_commit_many,
)


@dataclass(slots=True)
class NewLine:
    material_id: int
    quantity: Decimal
    unit_price: Decimal
    fulfilment: str = ""  # empty: the material's
    note: str = ""
    custom: dict[str, Any] = field(default_factory=dict)  # custom field values, already checked


@dataclass(slots=True)
class NewOrder:
    """One order to create. ``values``: any other ``Order`` field by name (external_no, priority,
    payment_terms, note …), already cleaned by the caller; fields given neither here nor in the
    call's ``common`` take their model default, as in ``order_create``."""

    customer_id: int | None  # None only for ``check_many``: a customer still to be created
    due_date: dt.date
    lines: list[NewLine]
    values: dict[str, Any] = field(default_factory=dict)


def orders_create_many(
    *,
    actor: Actor,
    orders: list[NewOrder],
    price_fields: Iterable[str] = (),
    allow_past_due: bool = False,
    **common: Any,
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
    # the names are Order's own columns, never a reverse relation
    defaults = {k: common.get(k, meta.get_field(k).get_default()) for k in keys}  # type: ignore[union-attr]
    order_rows: list[Any] = []
    line_rows: list[Any] = []
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


def _write_created(actor: Actor, order_ids: list[int], lines: list[tuple[int, OrderLine]]) -> None:
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
    user = history_user_id(actor)
    copy_history(Order, "id", order_ids, "+", user, override=dict.fromkeys(TOTALS, 0))
    copy_history(OrderLine, "order_id", order_ids, "+", user)
    copy_history(Order, "id", order_ids, "~", user)
    Inserter(
        OrderEvent, ("order",), actor_id=actor.pk, action="created",
        to_status=OrderStatus.DRAFT, data={},
    ).insert([(oid,) for oid in order_ids])  # fmt: skip


def _rates(common: dict[str, Any]) -> dict[str, Decimal]:
    return {
        k: Decimal(common.get(k, Order._meta.get_field(k).get_default()))  # type: ignore[union-attr]
        for k in ("discount_rate", "tax_rate")
    }


def check_many(
    *, actor: Actor, orders: list[NewOrder], allow_past_due: bool = False, **common: Any
) -> list[ValidationFailed | None]:
    """The refusals ``orders_create_many`` would give, without writing anything. An order whose
    ``customer_id`` is None is checked as for a customer still to be created (active, in scope):
    callers create customers only for orders that can be created."""
    results: list[Any] = [None] * len(orders)
    _check(
        actor, orders, results, _rates(common), allow_past_due=allow_past_due, new_customers=True
    )
    return results


def _check(
    actor: Actor, orders: list[NewOrder], results: list[Any], rates: dict[str, Any], *, allow_past_due: bool,
    new_customers: bool,
) -> tuple[dict[int, str], dict[int, tuple[Any, ...]]]:  # fmt: skip
    """What ``order_create`` refuses, by the same rules (``services.rules``), for every order at
    once (one query for the customers, one for the materials); fills ``results`` with the
    refusals. Returns the materials' fulfilment and each order's totals by position."""
    customers = _customers(actor, {o.customer_id for o in orders} - {None})
    materials: dict[int, Any] = {}
    for part in chunks({ln.material_id for o in orders for ln in o.lines}):
        materials.update(
            (pk, (code, active, fulfilment))
            for pk, code, active, fulfilment in Material.objects.filter(pk__in=part).values_list(
                "pk", "code", "is_active", "fulfilment"
            )
        )
    today = timezone.localdate()
    totals: dict[int, tuple[Any, ...]] = {}
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
        Order.compute_amounts(terms, amounts)  # type: ignore[arg-type]  # duck-typed: rates in, totals out
        totals[i] = tuple(getattr(terms, t) for t in TOTALS)
        if "lines" not in errors:
            _put(errors, "lines", totals_problem(totals[i]))
        if errors:
            results[i] = ValidationFailed(errors)
    return {pk: f for pk, (_c, _a, f) in materials.items()}, totals


def _put(errors: dict[str, str], field: str, problem: str | None) -> None:
    if problem:
        errors[field] = problem


def _customers(actor: Actor, ids: set[Any]) -> dict[Any, tuple[Any, bool | None]]:
    """By id: (code, is_active), with None for a customer unknown or out of the actor's scope."""
    out: dict[Any, tuple[Any, bool | None]] = {pk: (pk, None) for pk in ids}
    for part in chunks(ids):
        for pk, active, code in permissions.scope_customers(
            actor, Customer.objects.filter(pk__in=part)
        ).values_list("pk", "is_active", "code"):
            out[pk] = (code, active)
    unknown = [pk for pk, (_c, active) in out.items() if active is None]
    for part in chunks(unknown):
        for pk, code in Customer.objects.filter(pk__in=part).values_list("pk", "code"):
            out[pk] = (code, None)
    return out


def _check_lines(
    lines: list[NewLine], materials: dict[int, Any], errors: dict[str, str]
) -> list[Any]:
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
