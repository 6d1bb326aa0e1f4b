"""Reservations for orders: reserve what confirmed stock lines need, release what they no longer do."""

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from zhongshu.catalog.models import Fulfilment, Material
from zhongshu.core.actors import Actor
from zhongshu.core.bulk import insert_objects
from zhongshu.core.rows import lock_of, placeholders, rows_of
from zhongshu.orders.models import Order, OrderLine
from zhongshu.orders.statuses import OrderStatus

from .. import ledger
from ..erp import config as erp_config
from ..exceptions import InsufficientStock
from ..ledger import Change, fmt
from ..models import (
    ZERO,
    ComponentShortage,
    MovementKind,
    Reservation,
    ReservationStatus,
    StockLevel,
    Warehouse,
)
from . import components, shortfalls
from .stock import default_level_ids, order_reservations

# Orders whose stock lines hold reservations.
HOLDING = frozenset(
    {
        OrderStatus.CONFIRMED,
        OrderStatus.SCHEDULING,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.AWAITING_QC,
    }
)


def remaining(line: OrderLine) -> Decimal:
    return line.quantity - line.shipped_quantity


def shortage(material: Material, requested: Decimal, available: Decimal) -> dict[str, str]:
    return {
        "material": material.code,
        "requested": fmt(requested),
        "available": fmt(max(available, ZERO)),
    }


@dataclass
class _Delta:
    """What an order's reservations have to change by: holds to release, lines to reserve for."""

    releases: list[tuple[Reservation, Decimal]] = field(default_factory=list)
    needs: list[tuple[OrderLine, Decimal]] = field(default_factory=list)
    by_line: dict[int, list[Reservation]] = field(default_factory=lambda: defaultdict(list))


def rereserve_order(*, order: Order, actor: Actor | None = None) -> None:
    """Make the order's active reservations match what its stock lines still need.

    Used after a design change or quantity edit of an order already confirmed (reserve the
    increase, release the decrease, release holds of lines that were removed or turned into make
    lines). The stock lines are all or nothing: when any material is short, ``InsufficientStock``
    lists every short material and nothing is written. The make lines' components hold what is
    there; what they still lack is flagged, told to purchasing and topped up when stock arrives
    (``shortfalls``). Call it inside the transaction that changed the order.
    """
    with transaction.atomic():
        _rereserve(order, actor, partial=True)


# What a confirmation reserved: (line, quantity) per stock line (the make lines' components are
# held all or nothing with them).
Reserved = list[tuple[OrderLine, Decimal]]


def order_reserve(*, order: Order, actor: Actor | None = None) -> Reserved:
    """Reserve what a just-confirmed order's stock lines need, in the same few statements however
    many lines it has: the default warehouse's levels of all its materials are locked at once in
    id order, checked together (``InsufficientStock`` lists every short material, nothing is
    written), written with one statement, one ledger insert and one reservation insert. An order
    that already holds reservations (confirmed again) goes through ``rereserve_order``'s path.
    Reads the order's prefetched lines when the caller loaded them. Call it inside the
    transaction that confirms the order (no savepoint of its own). Returns what it reserved."""
    with transaction.atomic(savepoint=False):
        lines = _lines_with_materials(order)
        # make lines hold their components in the same lock: the general path takes them both
        if any(line.fulfilment != Fulfilment.STOCK for line in lines):
            return _rereserve(order, actor, lines=lines)
        needs = [(line, remaining(line)) for line in lines if remaining(line) > 0]
        if not needs:
            return _rereserve(order, actor, lines=lines) if _holds_any(order) else []
        plan, holds = _lock_default_levels(order, {ln.material_id for ln, _q in needs})
        if holds:  # confirmed again: the general path relocks what it needs (granted at once)
            return _rereserve(order, actor, lines=lines)
        level_ids = {level.material_id: level.id for level in plan.levels.values()}
        _check_available(plan, needs, level_ids)
        for line, qty in needs:
            plan.add(Change(level_ids[line.material_id], MovementKind.RESERVE, reserved=qty,
                            order_id=order.id, order_line_id=line.id))  # fmt: skip
        ledger.write(plan, actor=actor)
        insert_objects(
            [
                Reservation(
                    order=order, order_line=line, quantity=qty, level_id=level_ids[line.material_id]
                )
                for line, qty in needs
            ]
        )
        return needs


def _lock_default_levels(order: Order, material_ids: set[int]) -> tuple[ledger.Plan, bool]:
    """A plan over the default warehouse's levels of the materials, locked in id order, and
    whether the order already holds stock (asked in the same statement, one fewer per
    confirmation, as is whether an ERP owns the stock). Written out:
    every confirmation runs it, and building it through the ORM cost more than running it."""
    ids = sorted(material_ids)
    with connection.cursor() as cur:
        cur.execute(_levels_sql(len(ids)), [order.pk, ReservationStatus.ACTIVE, *ids])
        rows = cur.fetchall()
    if not rows:
        return ledger.plan_for([]), _holds_any(order)
    levels = rows_of(StockLevel, "l")
    connected = erp_config.configured_by(rows[0][levels.width + 1])
    return ledger.plan_for([levels.load(row) for row in rows], erp_connected=connected), bool(
        rows[0][levels.width]
    )


@functools.lru_cache(maxsize=64)
def _levels_sql(n: int) -> str:
    qn = connection.ops.quote_name
    level, warehouse, reservation = (
        qn(m._meta.db_table) for m in (StockLevel, Warehouse, Reservation)
    )
    lock = lock_of("l")
    return (
        f"SELECT {rows_of(StockLevel, 'l').columns}, EXISTS(SELECT 1 FROM {reservation} r"
        f" WHERE r.order_id = %s AND r.status = %s), {erp_config.address_column()} FROM {level} l"
        f" JOIN {warehouse} w ON w.id = l.warehouse_id"
        f" WHERE w.is_default AND l.material_id IN ({placeholders(n)})"
        f" ORDER BY l.id{lock}"
    )


def _holds_any(order: Order) -> bool:
    return Reservation.objects.filter(order=order, status=ReservationStatus.ACTIVE).exists()


def _lines_with_materials(order: Order) -> list[OrderLine]:
    prefetched = getattr(order, "_prefetched_objects_cache", {}).get("lines")
    if prefetched is not None:
        return list(prefetched)
    return list(OrderLine.objects.filter(order=order).select_related("material"))


def _rereserve(
    order: Order,
    actor: Actor | None,
    *,
    partial: bool = False,
    lines: list[OrderLine] | None = None,
) -> Reserved:
    """``partial=False`` (confirming): stock lines and components all or nothing, one
    ``InsufficientStock`` naming every short material and component. ``lines``: the order's
    lines with their materials as the confirmation loaded them (else read here)."""
    delta = _reservation_delta(order, lines)
    comp = components.delta_for(order)  # the make lines' components, in the same lock
    if not delta.needs and not delta.releases and not comp:
        return []
    level_ids = default_level_ids({line.material_id for line, _q in delta.needs})
    plan = ledger.lock_levels(
        [*level_ids.values(), *(r.level_id for r, _q in delta.releases), *comp.lock_ids()]
    )
    for r, qty in delta.releases:
        plan.add(Change(r.level_id, MovementKind.RELEASE, reserved=-qty, order_id=order.id,
                        order_line_id=r.order_line_id, reason=_("Re-reservation")))  # fmt: skip
    stock_short = _stock_shortages(plan, delta.needs, level_ids)
    if stock_short and partial:
        raise InsufficientStock(stock_short)
    for line, qty in delta.needs:
        if line.material_id in level_ids:  # (a material without a level is short: refused below)
            plan.add(Change(level_ids[line.material_id], MovementKind.RESERVE, reserved=qty,
                            order_id=order.id, order_line_id=line.id))  # fmt: skip
    comp.release(plan)  # what a changed make line gives back counts for its new needs
    comp_short = [] if partial else comp.shortages(plan)
    if comp_short:
        raise components.refusal(comp_short, stock_short)
    if stock_short:
        raise InsufficientStock(stock_short)
    comp.plan(plan, partial=partial)  # (partial: what stays short is noted for flag() below)
    ledger.write(plan, actor=actor)
    _save_reservations(order, delta, level_ids)
    comp.save()
    if partial:  # what is short is flagged, told to purchasing and topped up later
        shortfalls.flag(order=order, delta=comp, actor=actor)
    return delta.needs


def _reservation_delta(order: Order, loaded: list[OrderLine] | None = None) -> _Delta:
    # Once production finished, make lines may hold the finished goods booked for them (when an
    # ERP is connected): those holds stay, up to what the line still owes; make lines never
    # reserve anything new.
    finished = order.status == OrderStatus.AWAITING_QC
    if loaded is None:
        loaded = list(OrderLine.objects.filter(order=order).select_related("material"))
    lines = {line.id: line for line in loaded if line.fulfilment == Fulfilment.STOCK or finished}
    active = order_reservations(
        [order.pk], for_component=False, statuses=[ReservationStatus.ACTIVE]
    )
    delta = _Delta()
    held: dict[int, Decimal] = defaultdict(Decimal)
    for r in active:
        line = lines.get(r.order_line_id) if r.order_line_id is not None else None
        if line is None or r.level.material_id != line.material_id:
            delta.releases.append((r, r.quantity))
        else:
            held[line.id] += r.quantity
            delta.by_line[line.id].append(r)
    for line in lines.values():
        diff = remaining(line) - held[line.id]
        if diff > 0 and line.fulfilment != Fulfilment.STOCK:
            continue
        if diff > 0:
            delta.needs.append((line, diff))
        elif diff < 0:
            excess = -diff
            for r in reversed(delta.by_line[line.id]):
                take = min(excess, r.quantity)
                if take > 0:
                    delta.releases.append((r, take))
                    excess -= take
    return delta


def _check_available(
    plan: ledger.Plan, needs: list[tuple[OrderLine, Decimal]], level_ids: dict[int, int]
) -> None:
    """Raise ``InsufficientStock`` listing every material the needs exceed (after releases)."""
    shortages = _stock_shortages(plan, needs, level_ids)
    if shortages:
        raise InsufficientStock(shortages)


def _stock_shortages(
    plan: ledger.Plan, needs: list[tuple[OrderLine, Decimal]], level_ids: dict[int, int]
) -> list[dict[str, str]]:
    requested: dict[int, Decimal] = defaultdict(Decimal)
    materials: dict[int, Material] = {}
    for line, qty in needs:
        requested[line.material_id] += qty
        materials[line.material_id] = line.material
    shortages = []
    for material_id in sorted(requested, key=lambda m: materials[m].code):
        level_id = level_ids.get(material_id)
        available = plan.available(level_id) if level_id else ZERO
        if requested[material_id] > available:
            shortages.append(shortage(materials[material_id], requested[material_id], available))
    return shortages


def _save_reservations(order: Order, delta: _Delta, level_ids: dict[int, int]) -> None:
    for r, qty in delta.releases:
        r.quantity -= qty
        r.released += qty
        if r.quantity == 0:
            r.status = ReservationStatus.RELEASED
        r.save(update_fields=["quantity", "released", "status", "updated_at"])
    new = []
    for line, qty in delta.needs:
        level_id = level_ids[line.material_id]
        existing = next((r for r in delta.by_line[line.id] if r.level_id == level_id), None)
        if existing is not None:
            existing.quantity += qty
            existing.save(update_fields=["quantity", "updated_at"])
        else:
            new.append(Reservation(order=order, order_line=line, level_id=level_id, quantity=qty))
    Reservation.objects.bulk_create(new)


def order_release(*, order: Order, actor: Actor | None = None, reason: str = "") -> None:
    """Give back everything the order holds (it was cancelled). Called inside its transaction."""
    with transaction.atomic():
        ComponentShortage.objects.filter(order_id=order.pk).delete()  # nothing to top up now
        active = list(
            Reservation.objects.filter(order=order, status=ReservationStatus.ACTIVE).order_by("id")
        )
        if not active:
            return
        plan = ledger.lock_levels(r.level_id for r in active)
        for r in active:
            plan.add(
                Change(
                    r.level_id,
                    MovementKind.RELEASE,
                    reserved=-r.quantity,
                    order_id=order.id,
                    order_line_id=r.order_line_id,
                    reason=reason[:200],
                )
            )
        ledger.write(plan, actor=actor)
        for r in active:
            r.released += r.quantity
            r.quantity = ZERO
            r.status = ReservationStatus.RELEASED
            r.save(update_fields=["quantity", "released", "status", "updated_at"])
