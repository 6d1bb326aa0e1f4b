"""Moving orders along the status machine. One refusal ladder and one set of built-in guards
serve ``order_transition`` (one order) and ``orders_transition_many`` (``orders.bulk``): the
single move is checked exactly as each order of a bulk move is."""

import functools
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Fulfilment, Material
from zhongshu.core.actors import Actor
from zhongshu.core.bulk import Inserter, chunks, copy_history, history_user_id
from zhongshu.core.errors import DomainError, PermissionDenied, StaleVersion, ValidationFailed
from zhongshu.core.rows import placeholders, rows_of
from zhongshu.core.text import normalize_text
from zhongshu.customers.models import Customer

from .. import hooks
from ..exceptions import IllegalTransition, TransitionBlocked
from ..models import Order, OrderEvent, OrderLine
from ..statuses import TRANSITIONS, OrderStatus, Transition
from .common import _lock_order, lock_order_row

MAX_NOTE = 2000


def allowed_actions(actor: Actor, order: Order) -> list[str]:
    return [
        action
        for action, t in TRANSITIONS.items()
        if order.status in t.sources and permissions.can(actor, f"orders.{action}", order)
    ]


def transition_for(action: str) -> Transition:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationFailed(
            {
                "action": _("Unknown action %(a)s. Known: %(known)s")
                % {"a": action, "known": ", ".join(TRANSITIONS)}
            }
        )
    return transition


def refusal(
    actor: Actor, order: Order, transition: Transition, note: str, *, system: bool
) -> DomainError | None:
    """Why ``order`` may not take ``transition`` (found and locked, ``note`` normalized), in
    this order: role not allowed (403); action not possible from the current status (409 with
    the allowed actions); missing or too long reason (422). None: the guards decide."""
    action = transition.action
    if not system and not permissions.can(actor, f"orders.{action}", order):
        return PermissionDenied(details={"action": f"orders.{action}"})
    if order.status not in transition.sources:
        return IllegalTransition(
            _("Cannot %(action)s an order that is %(status)s.")
            % {"action": transition.label, "status": OrderStatus(order.status).label},
            details={
                "status": order.status,
                "action": action,
                "allowed_actions": [] if system else allowed_actions(actor, order),
            },
        )
    if transition.note_required and not note:
        return ValidationFailed({"note": _("A reason is required for this action.")})
    if len(note) > MAX_NOTE:
        return ValidationFailed({"note": _("At most %(n)d characters.") % {"n": MAX_NOTE}})
    return None


def builtin_guards(ctxs: list[hooks.TransitionContext]) -> dict[int, Exception]:
    """The order core's own guards for a list of moves of one action (position → refusal), in a
    fixed number of queries: a submitted order needs lines, an active customer and a due date
    not past; an order with make-to-order lines ships from "confirmed" only after production."""
    if not ctxs:
        return {}
    if ctxs[0].action == "submit":
        return _submit_guard(ctxs)
    if ctxs[0].action == "ship":
        return _ship_guard(ctxs)
    return {}


def _submit_guard(ctxs: list[hooks.TransitionContext]) -> dict[int, Exception]:
    refused: dict[int, Exception] = {}
    with_lines: set[int] = set()
    inactive: set[int] = set()
    for part in chunks([c.order.pk for c in ctxs]):
        with_lines.update(
            OrderLine.objects.filter(order_id__in=part).values_list("order_id", flat=True)
        )
    for part in chunks({c.order.customer_id for c in ctxs}):
        inactive.update(
            Customer.objects.filter(pk__in=part, is_active=False).values_list("pk", flat=True)
        )
    today = timezone.localdate()
    for i, ctx in enumerate(ctxs):
        problems = []
        if ctx.order.pk not in with_lines:
            problems.append(_("The order has no lines."))
        if ctx.order.customer_id in inactive:
            problems.append(_("The customer is inactive."))
        if ctx.order.due_date < today:
            problems.append(_("The due date is in the past."))
        if problems:
            refused[i] = TransitionBlocked(" ".join(problems), details={"reasons": problems})
    return refused


def _ship_guard(ctxs: list[hooks.TransitionContext]) -> dict[int, Exception]:
    confirmed = [c.order.pk for c in ctxs if c.from_status == OrderStatus.CONFIRMED]
    make: set[int] = set()
    for part in chunks(confirmed):
        make.update(
            OrderLine.objects.filter(order_id__in=part, fulfilment=Fulfilment.MAKE).values_list(
                "order_id", flat=True
            )
        )
    return {
        i: TransitionBlocked(
            _("This order has make-to-order lines: it ships after production and QC."),
        )
        for i, ctx in enumerate(ctxs)
        if ctx.from_status == OrderStatus.CONFIRMED and ctx.order.pk in make
    }


@transaction.atomic
def order_transition(
    *,
    actor: Actor,
    order_id: Any,
    action: str,
    note: str = "",
    version: int | None = None,
    data: dict[str, Any] | None = None,
    system: bool = False,
) -> Order:
    """Move an order along the status machine.

    Refusals, in this order: unknown order or out of scope (404); stale version (409); then the
    ladder of ``refusal`` (403, 409, 422) and the guards (409 ``transition_blocked`` or the
    guard's own error) — the same as for each order of ``orders_transition_many``.
    ``system=True`` is for automatic moves (a task started, all tasks done); it skips the role check.
    """
    transition = transition_for(action)
    if not system:
        permissions.require(actor, "orders.view")
    order = lock_order_row(order_id)[0] if system else _lock_order(actor, order_id)
    if version is not None and order.version != version:
        raise StaleVersion(details={"current_version": order.version, "your_version": version})
    if action == "confirm":
        _load_lines(order)
    note = normalize_text(note)
    refused = refusal(actor, order, transition, note, system=system)
    if refused is not None:
        raise refused
    ctx = hooks.TransitionContext(
        actor=actor,
        order=order,
        action=action,
        from_status=order.status,
        to_status=transition.target,
        note=note,
        data=data or {},
    )
    blocked = builtin_guards([ctx])
    if blocked:
        raise blocked[0]
    hooks.run_guards(ctx)
    write_moves(actor, [ctx], transition, note, data or {}, system)
    hooks.run_effects(ctx)
    order.__dict__["_transition_outcome"] = ctx.outcome  # read by hooks.outcome_of
    # the lines loaded for the confirmation served its guards and effects; later changes (a
    # design change adding a line) must not be hidden from whoever holds this order
    getattr(order, "_prefetched_objects_cache", {}).pop("lines", None)
    transaction.on_commit(lambda: hooks.run_after_commit(ctx))
    return order


def _load_lines(order: Order) -> None:
    """Load the order's lines with their materials once, for every guard and effect of a
    confirmation to read through ``order.lines.all()`` (nothing changes them meanwhile), as
    ``prefetch_related`` would keep them. Written out (decision 32): the query set with its
    ``select_related`` cost five times more to build than the statement costs to run."""
    line_rows, material_rows = rows_of(OrderLine, "l"), rows_of(Material, "m")
    material = OrderLine._meta.get_field("material")
    lines = []
    with connection.cursor() as cur:
        cur.execute(_lines_sql(), [order.pk])
        for row in cur.fetchall():
            line = line_rows.load(row)
            material.set_cached_value(line, material_rows.load(row, line_rows.width))
            line.order = order
            lines.append(line)
    cached = order.lines.all()
    cached._result_cache = lines
    cached._prefetch_done = True  # type: ignore[attr-defined]
    order._prefetched_objects_cache = {"lines": cached}  # type: ignore[attr-defined]


@functools.cache
def _lines_sql() -> str:
    qn = connection.ops.quote_name
    return (
        f"SELECT {rows_of(OrderLine, 'l').columns}, {rows_of(Material, 'm').columns} "
        f"FROM {qn(OrderLine._meta.db_table)} l "
        f"JOIN {qn(Material._meta.db_table)} m ON m.id = l.{qn('material_id')} "
        f"WHERE l.{qn('order_id')} = %s ORDER BY l.{qn('line_no')}"
    )


def write_moves(
    actor: Actor,
    ctxs: list[hooks.TransitionContext],
    transition: Transition,
    note: str,
    data: dict[str, Any],
    system: bool,
) -> None:
    """Write the moves of locked orders that passed their checks, for one order or a list: the
    status, version and timestamp in one ``UPDATE`` per chunk, the history rows copied by the
    database, one timeline event each; the instances are updated to what was written."""
    if not ctxs:
        return
    now = timezone.now()
    ids = [c.order.pk for c in ctxs]
    stamp = transition.timestamp_field
    # written out: every move runs it, and building it through the ORM cost more than running it
    qn = connection.ops.quote_name
    sets = f"{qn('status')} = %s, {qn('version')} = {qn('version')} + 1, {qn('updated_at')} = %s"
    if stamp:
        sets += f", {qn(stamp)} = COALESCE({qn(stamp)}, %s)"
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cur:
        for part in chunks(ids):
            cur.execute(
                f"UPDATE {qn(Order._meta.db_table)} SET {sets} WHERE id IN "
                f"({placeholders(len(part))})",
                [transition.target, at, *([at] if stamp else []), *part],
            )
    for ctx in ctxs:  # the instances as the database now has them
        order = ctx.order
        order.status, order.version, order.updated_at = transition.target, order.version + 1, now
        if stamp and getattr(order, stamp) is None:
            setattr(order, stamp, now)
    # the actor is named only on a move that is not the system's (else the request's user)
    copy_history(Order, "id", ids, "~", history_user_id(None if system else actor), date=now)
    Inserter(
        OrderEvent, ("order", "from_status"), actor_id=getattr(actor, "pk", None),
        action=transition.action, note=note, to_status=transition.target, data=data,
    ).insert([(c.order.pk, c.from_status) for c in ctxs])  # fmt: skip
