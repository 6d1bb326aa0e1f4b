"""``orders_transition_many``: many orders moved at once, or one by one where they must be."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.bulk import chunks
from zhongshu.core.errors import DomainError, NotFound
from zhongshu.core.text import normalize_text

from .. import hooks
from ..models import Order
from ..services.transitions import (
    builtin_guards,
    order_transition,
    refusal,
    transition_for,
    write_moves,
)
from .common import after_commit_many


@dataclass
class Moved:
    """What ``orders_transition_many`` did: the orders moved (locked, as saved) and the refused
    ones by id with the error ``order_transition`` would have raised."""

    moved: list[Order]
    refused: dict[int, DomainError]


def orders_transition_many(
    *,
    actor: Actor,
    order_ids: Iterable[int] = (),
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
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
        assert order is not None  # a missing order is refused just above
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
    write_moves(actor, go, transition, note, data or {}, system)
    after_commit_many(go)
    return Moved(moved=[c.order for c in go], refused=refused)


def _lock(actor: Actor, ids: list[int], system: bool) -> dict[int, Order]:
    out: dict[int, Order] = {}
    for part in chunks(ids, 2000):
        qs = Order.objects.select_for_update(of=("self",)).filter(pk__in=part).order_by("pk")
        if not system:
            qs = permissions.scope_orders(actor, qs)
        out.update((o.pk, o) for o in qs)
    return out


def _one_by_one(
    actor: Actor, ids: list[int], action: str, note: str, data: dict[str, Any] | None, system: bool
) -> Moved:
    moved: list[Order] = []
    refused: dict[int, DomainError] = {}
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
