"""Components a confirmed make line could hold only in part: flagged, told to purchasing, and
topped up when stock arrives.

Confirming is all or nothing (``reservations._rereserve``). A design change or scrap on an order
already confirmed holds what is there (``ComponentDelta.plan(partial=True)``) and ``flag`` keeps
what each line still lacks as ``ComponentShortage`` rows, writes it on the order's timeline and
tells purchasing. When a ledger write makes more available at the default warehouse (a purchase
receipt, an adjustment in, a T+ sync increase, holds given back by a cancelled order),
``ledger.write`` calls ``top_up`` with the levels it has just written — still locked by that
write, so the top-up takes no lock of its own on them: the flagged components of the orders
still holding are held, oldest due date first, in a few statements for all of them. Orders
another transaction has locked are skipped (it is changing their holds itself).
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor, recorded
from zhongshu.orders.models import Order, OrderEvent
from zhongshu.orders.statuses import OrderStatus

from .. import ledger
from ..ledger import Change, fmt
from ..models import (
    ZERO,
    ComponentShortage,
    MovementKind,
    Reservation,
    ReservationStatus,
    StockLevel,
)
from .components import ComponentDelta, Key, describe
from .stock import default_warehouse

# orders whose components may still be held (after that production has taken what it needed)
TOPPING = (OrderStatus.CONFIRMED, OrderStatus.SCHEDULING, OrderStatus.IN_PRODUCTION)
SHORT, TOPPED_UP = "components_short", "components_topped_up"


def _rows(missing: dict[Key, Decimal]) -> list[dict[str, str]]:
    per: dict[int, Decimal] = defaultdict(Decimal)
    for (_line, comp), qty in missing.items():
        per[comp] += qty
    names = {m: (c, u) for m, c, u in Material.objects.filter(pk__in=per).values_list("id", "code", "unit")}  # fmt: skip
    return [
        {"material": names[m][0], "unit": names[m][1], "short": fmt(q)}
        for m, q in sorted(per.items(), key=lambda kv: names[kv[0]][0])
    ]


def flag(*, order: Order, delta: ComponentDelta, actor: Actor | None) -> None:
    """After a partial hold: the order's flagged components become what its lines still lack.
    A new or larger shortage goes on the timeline and to purchasing; a shortage gone, on the
    timeline."""
    missing = {key: q for key, q in delta.missing.items() if q > 0}
    rows = ComponentShortage.objects.filter(order_id=order.pk)
    before = {(r.order_line_id, r.material_id): r.quantity for r in rows}
    if missing == before:
        return
    rows.delete()
    ComponentShortage.objects.bulk_create(
        ComponentShortage(order_id=order.pk, order_line_id=line, material_id=comp, quantity=q)
        for (line, comp), q in sorted(missing.items())
    )
    user = recorded(actor)
    if not missing:
        OrderEvent.objects.create(order_id=order.pk, actor=user, action=TOPPED_UP,
                                  note=_("Every component is held again."))  # fmt: skip
        return
    short = _rows(missing)
    OrderEvent.objects.create(order_id=order.pk, actor=user, action=SHORT, note=describe(short),
                              data={"shortages": short})  # fmt: skip
    if any(q > before.get(key, ZERO) for key, q in missing.items()):
        _tell_purchasing(order, short)


def _tell_purchasing(order: Order, short: list[dict[str, str]]) -> None:
    from zhongshu.notify.services import notify

    body = describe(short)
    notify(
        roles=("purchasing",),
        subject=_("Components short for %(order)s") % {"order": order.number},
        body=body,
        link=f"/orders/{order.pk}/",
        order=order,
        dedupe_key=f"components:short:{order.pk}:{body}"[:200],
        source="inventory.components",
    )


def top_up(plan: ledger.Plan, level_ids: Iterable[int], *, actor: Actor | None) -> int:
    """More is available at these levels (just written by ``plan``, still locked): hold the
    flagged components there for the orders still holding, oldest due date first. Returns the
    holds added or raised."""
    written = [plan.levels[i] for i in level_ids]
    rows = list(
        ComponentShortage.objects.filter(
            material_id__in={lv.material_id for lv in written}, order__status__in=TOPPING
        )
        .select_related("order")
        .order_by("order__due_date", "order_id", "id")
    )
    if not rows:
        return 0
    default = default_warehouse()
    levels = {lv.material_id: lv for lv in written if default and lv.warehouse_id == default.pk}
    rows = [r for r in rows if r.material_id in levels]
    if not rows:
        return 0
    locked = set(  # skip the orders another transaction is changing: it re-reserves them
        Order.objects.select_for_update(skip_locked=True)
        .filter(pk__in={r.order_id for r in rows}).order_by("pk").values_list("pk", flat=True)
    )  # fmt: skip
    work = ledger.plan_for(levels[r.material_id] for r in rows)
    taken: list[tuple[ComponentShortage, Decimal]] = []
    for r in rows:
        level_id = levels[r.material_id].pk
        take = min(r.quantity, max(work.available(level_id), ZERO))
        if r.order_id in locked and take > 0:
            work.add(Change(level_id, MovementKind.RESERVE, reserved=take, order_id=r.order_id,
                            order_line_id=r.order_line_id, reason=_("Component top-up")))  # fmt: skip
            taken.append((r, take))
    if not taken:
        return 0
    ledger.write(work, actor=actor)
    _hold(taken, levels)
    _settle(taken, actor)
    return len(taken)


def _hold(taken: list[tuple[ComponentShortage, Decimal]], levels: dict[int, StockLevel]) -> None:
    """Raise the lines' active component holds at the level, or add one."""
    active = {
        (r.order_line_id, r.level_id): r
        for r in Reservation.objects.filter(
            order_line_id__in={s.order_line_id for s, _q in taken}, for_component=True,
            status=ReservationStatus.ACTIVE, level_id__in=[lv.pk for lv in levels.values()],
        ).order_by("id")
    }  # fmt: skip
    raised, new = [], []
    for s, qty in taken:
        level_id = levels[s.material_id].pk
        hold = active.get((s.order_line_id, level_id))
        if hold is not None:
            hold.quantity += qty
            hold.updated_at = timezone.now()  # (bulk_update leaves auto_now alone)
            raised.append(hold)
        else:
            new.append(Reservation(order_id=s.order_id, order_line_id=s.order_line_id,
                                   level_id=level_id, quantity=qty, for_component=True))  # fmt: skip
    if raised:
        Reservation.objects.bulk_update(raised, ["quantity", "updated_at"])
    Reservation.objects.bulk_create(new)


def _settle(taken: list[tuple[ComponentShortage, Decimal]], actor: Actor | None) -> None:
    """Lower or clear the flags, say so on each order's timeline, and issue at once what an
    order already in production takes."""
    from .components import issue_order

    cleared = [s.pk for s, q in taken if q >= s.quantity]
    lowered = [s for s, q in taken if q < s.quantity]
    for s, q in taken:
        s.quantity -= q
    ComponentShortage.objects.filter(pk__in=cleared).delete()
    if lowered:
        ComponentShortage.objects.bulk_update(lowered, ["quantity"])
    still = set(ComponentShortage.objects.filter(order_id__in={s.order_id for s, _q in taken})
                .values_list("order_id", flat=True))  # fmt: skip
    names = dict(Material.objects.filter(pk__in={s.material_id for s, _q in taken})
                 .values_list("id", "code"))  # fmt: skip
    per: dict[Order, list[str]] = defaultdict(list)
    for s, q in taken:
        per[s.order].append(f"{names[s.material_id]} +{fmt(q)}")
    user = recorded(actor)
    events = []
    for o, parts in per.items():
        state = _("Still short.") if o.pk in still else _("Shortage cleared.")
        note = _("Components held as stock arrived: %(list)s. %(state)s") % {
            "list": ", ".join(parts),
            "state": state,
        }
        events.append(OrderEvent(order_id=o.pk, actor=user, action=TOPPED_UP, note=note))
    OrderEvent.objects.bulk_create(events)
    for o in per:
        if o.status == OrderStatus.IN_PRODUCTION:
            issue_order(order=o, actor=actor)
