"""What every order use case shares: locking an order in the actor's scope, naming the actor in
the audit trail, the timeline entry and the after-commit hooks."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor

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
    qs = permissions.scope_orders(actor, Order.objects.select_for_update(of=("self",)))
    return _stamp(permissions.get_in_scope(qs, pk=order_id), actor)


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
