"""What every order use case shares: locking an order in the actor's scope, naming the actor in
the audit trail, the timeline entry and the after-commit hooks."""

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound
from zhongshu.core.rows import lock_of, rows_of
from zhongshu.customers.models import Customer

from .. import hooks
from ..models import Order, OrderEvent


def _event(
    order: Order,
    actor: Actor,
    action: str,
    *,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        actor=actor,
        action=action,
        note=note,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )


def _after_commit(
    actor: Actor, order: Order, action: str, data: dict[str, Any] | None = None
) -> None:
    ctx = hooks.TransitionContext(
        actor=actor,
        order=order,
        action=action,
        from_status=order.status,
        to_status=order.status,
        data=data or {},
    )
    transaction.on_commit(lambda: hooks.run_after_commit(ctx))


def _lock_order(actor: Actor, order_id: Any) -> Order:
    """The order, locked, if it is in the actor's scope (``NotFound`` otherwise, as for a missing
    one)."""
    order, region_id = lock_order_row(order_id)
    if not permissions.order_in_scope(actor, order, region_id=region_id):
        raise NotFound()
    return _stamp(order, actor)


def lock_order_row(order_id: Any) -> tuple[Order, int | None]:
    """Lock the order by id (``NotFound`` if there is none) and read its customer's region with it,
    for the caller to check the scope on the row (``permissions.order_in_scope``). Written out
    (decision 32): every move and edit of an order starts here, and the query set cost more to
    build than to run."""
    try:
        pk = int(order_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk < 2**63:  # beyond the column's range there is no such order, not an error
        raise NotFound()
    rows = rows_of(Order, "o")
    with connection.cursor() as cur:
        cur.execute(_lock_sql(), [pk])
        row = cur.fetchone()
    if row is None:
        raise NotFound()
    return rows.load(row), row[rows.width]


@functools.cache
def _lock_sql() -> str:
    qn = connection.ops.quote_name
    lock = lock_of("o")
    return (
        f"SELECT {rows_of(Order, 'o').columns}, c.{qn('region_id')} "
        f"FROM {qn(Order._meta.db_table)} o "
        f"JOIN {qn(Customer._meta.db_table)} c ON c.id = o.{qn('customer_id')} "
        f"WHERE o.id = %s{lock}"
    )


def _stamp(order: Order, actor: Actor) -> Order:
    """Name the actor in the audit trail also where there is no request (tasks, commands)."""
    if getattr(actor, "pk", None):
        order._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    return order


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal | dt.date):
        return str(value)
    if hasattr(value, "pk"):
        return str(value)
    return value


def _custom_changes(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changed custom values as ``custom.<key>`` entries of the timeline's before/after
    (so a reader's view can leave out the fields they may not see)."""
    keys = sorted(k for k in {*before, *after} if before.get(k) != after.get(k))
    return (
        {f"custom.{k}": before.get(k) for k in keys},
        {f"custom.{k}": after.get(k) for k in keys},
    )
