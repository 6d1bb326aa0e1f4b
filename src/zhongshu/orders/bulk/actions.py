"""The order list's bulk actions: submit, confirm or cancel (with one reason) up to 500 selected
orders, or hand them to another sales owner. Each order is judged on its own — the transitions
go through ``orders_transition_many`` (the rights, the ladder, the guards and the stock of
``order_transition``, one savepoint per order where the action has effects), so an order refused
leaves the others moving. Every order moved gets its own timeline event and history row."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.bulk import Inserter, chunks, copy_history, history_user_id
from zhongshu.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from zhongshu.core.text import normalize_text

from ..exceptions import IllegalTransition, OwnerNotAllowed
from ..models import Order, OrderEvent
from ..statuses import TERMINAL
from .transitions import Moved, orders_transition_many

BULK_TRANSITIONS = ("submit", "confirm", "cancel")
BULK_ACTIONS = (*BULK_TRANSITIONS, "assign_owner")
MAX_BULK = 500


@dataclass(frozen=True)
class BulkResult:
    """One selected order's outcome: done, or refused with the error's code and message."""

    order_id: int
    done: bool
    code: str = ""
    message: str = ""


def _owner(owner_id: Any) -> Any:
    try:
        return get_user_model().objects.get(pk=int(owner_id), is_active=True)
    except (TypeError, ValueError, get_user_model().DoesNotExist):
        raise ValidationFailed(
            [{"field": "owner", "message": _("Choose an active user as the owner.")}]
        ) from None


def orders_assign_owner_many(
    *,
    actor: Actor,
    order_ids: Iterable[int],
    owner_id: Any,
    note: str = "",
    system: bool = False,
) -> Moved:
    """Make ``owner_id`` the sales owner of each order (in the caller's transaction). An order is
    refused on its own: one the actor may not see or hand over, a closed one, or one outside the
    new owner's own order scope. ``system=True`` (routing at conversion) skips the actor's
    rights, never the owner's."""
    owner = _owner(owner_id)
    if not system:
        permissions.require(actor, "orders.assign_owner")
    ids = list(dict.fromkeys(order_ids))
    if not permissions.can(owner, "orders.own"):
        refused_all: dict[int, DomainError] = {i: OwnerNotAllowed() for i in ids}
        return Moved(moved=[], refused=refused_all)
    found: dict[int, Order] = {}
    visible: set[int] = set()
    for part in chunks(ids):
        qs = Order.objects.select_for_update(of=("self",)).filter(pk__in=part).order_by("pk")
        found.update((o.pk, o) for o in (qs if system else permissions.scope_orders(actor, qs)))
        mine = permissions.scope_orders(owner, Order.objects.filter(pk__in=part))
        visible.update(mine.values_list("pk", flat=True))
    refused: dict[int, DomainError] = {}
    go: list[Order] = []
    for oid in ids:
        order = found.get(oid)
        if order is None:
            refused[oid] = NotFound()
        elif order.status in TERMINAL:
            refused[oid] = IllegalTransition()
        elif oid not in visible:
            refused[oid] = OwnerNotAllowed()
        elif order.sales_owner_id != owner.pk:
            go.append(order)
    _write_owner(actor, go, owner, normalize_text(note), system)
    moved = [found[oid] for oid in ids if oid in found and oid not in refused]
    return Moved(moved=moved, refused=refused)


def _write_owner(actor: Actor, orders: list[Order], owner: Any, note: str, system: bool) -> None:
    if not orders:
        return
    now = timezone.now()
    ids = [o.pk for o in orders]
    for part in chunks(ids):
        Order.objects.filter(pk__in=part).update(sales_owner=owner, updated_at=now)
    copy_history(Order, "id", ids, "~", history_user_id(None if system else actor))
    Inserter(
        OrderEvent, ("order", "from_status", "to_status", "data"),
        actor_id=getattr(actor, "pk", None), action="assign_owner", note=note,
    ).insert(
        (o.pk, o.status, o.status, {"from_owner": o.sales_owner_id, "owner": owner.pk})
        for o in orders
    )  # fmt: skip
    for o in orders:
        o.sales_owner_id, o.updated_at = owner.pk, now


def orders_bulk_action(
    *,
    actor: Actor,
    action: str,
    order_ids: list[int],
    reason: str = "",
    owner_id: Any = None,
) -> list[BulkResult]:
    """Run one of ``BULK_ACTIONS`` over up to ``MAX_BULK`` orders, each judged on its own, in one
    transaction; returns a result per selected order in the order given."""
    ids = list(dict.fromkeys(order_ids))
    if action not in BULK_ACTIONS:
        raise ValidationFailed([{"field": "action", "message": _("Unknown bulk action.")}])
    if not ids or len(ids) > MAX_BULK:
        raise ValidationFailed(
            [{"field": "order_ids",
              "message": _("Select between 1 and %(n)d orders.") % {"n": MAX_BULK}}]
        )  # fmt: skip
    permissions.require(actor, "orders.view")
    if action != "assign_owner" and not permissions.can(actor, f"orders.{action}"):
        raise PermissionDenied(details={"action": f"orders.{action}"})
    with transaction.atomic():
        if action == "assign_owner":
            moved = orders_assign_owner_many(
                actor=actor, order_ids=ids, owner_id=owner_id, note=reason
            )
        else:
            moved = orders_transition_many(actor=actor, order_ids=ids, action=action, note=reason)
    return [
        BulkResult(oid, False, moved.refused[oid].code, _text(moved.refused[oid]))
        if oid in moved.refused
        else BulkResult(oid, True)
        for oid in ids
    ]


def _text(exc: DomainError) -> str:
    """The refusal as a person reads it: a validation error names what is missing."""
    errors = exc.details.get("errors") if isinstance(exc.details, dict) else None
    if errors:
        return "; ".join(str(e.get("message", "")) for e in errors)
    return str(exc.message)
