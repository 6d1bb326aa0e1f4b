"""Inventory use cases: receipts, adjustments, reservations for orders, shipments.

Allocation: an order reserves every stock line at the default warehouse (one warehouse per
company is the common case; moving goods between warehouses is a receipt plus an adjustment).
Make-to-order lines are not reserved and ship without a stock movement: finished goods from
production are not booked into stock yet.
"""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Fulfilment, Material
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.text import normalize_code
from zhongshu.core.validation import Errors, clean_decimal, clean_text
from zhongshu.orders.models import Order, OrderLine
from zhongshu.orders.statuses import OrderStatus

from . import ledger, listeners
from .exceptions import (
    InsufficientStock,
    NoDefaultWarehouse,
    NothingToShip,
    NotShippable,
    OverShipment,
)
from .ledger import Change, fmt
from .models import (
    ZERO,
    MovementKind,
    Reservation,
    ReservationStatus,
    Shipment,
    ShipmentLine,
    StockLevel,
    Warehouse,
)

# Orders whose stock lines hold reservations.
HOLDING = frozenset(
    {
        OrderStatus.CONFIRMED,
        OrderStatus.SCHEDULING,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.AWAITING_QC,
    }
)

# --- warehouses and levels ---------------------------------------------------------------------


@transaction.atomic
def warehouse_create(
    *, actor: Actor | None, code: str, name: str, is_default: bool = False
) -> Warehouse:
    """Create a warehouse; ``actor=None`` is the system (seeding, T+ sync)."""
    if actor is not None:
        permissions.require(actor, "inventory.adjust")
    errors = Errors()
    code = clean_text(errors, "code", normalize_code(code), max_length=20, required=True)
    name = clean_text(errors, "name", name, max_length=80, required=True)
    errors.raise_if_any()
    if Warehouse.objects.filter(code=code).exists():
        raise ValidationFailed({"code": _("Warehouse %(code)s already exists.") % {"code": code}})
    if is_default:
        Warehouse.objects.filter(is_default=True).update(is_default=False)
    return Warehouse.objects.create(code=code, name=name, is_default=is_default)


def default_warehouse() -> Warehouse | None:
    return Warehouse.objects.filter(is_default=True).first()


def level_for(material: Material, warehouse: Warehouse) -> StockLevel:
    """The level row of (material, warehouse), created empty the first time it is needed."""
    level = StockLevel.objects.filter(material=material, warehouse=warehouse).first()
    if level is not None:
        return level
    try:
        with transaction.atomic():
            return StockLevel.objects.create(material=material, warehouse=warehouse)
    except IntegrityError:  # created by a concurrent transaction meanwhile
        return StockLevel.objects.get(material=material, warehouse=warehouse)


def _clean_target(errors: Errors, material: Any, warehouse: Any):
    code = normalize_code(material)
    material_obj = Material.objects.filter(code=code).first() if code else None
    if not code:
        errors.add("material", _("This field is required."))
    elif material_obj is None:
        errors.add("material", _("Unknown material: %(code)s") % {"code": code})
    wh_code = normalize_code(warehouse)
    if wh_code:
        wh = Warehouse.objects.filter(code=wh_code, is_active=True).first()
        if wh is None:
            errors.add("warehouse", _("Unknown warehouse: %(code)s") % {"code": wh_code})
    else:
        wh = default_warehouse()
        if wh is None:
            raise NoDefaultWarehouse()
    return material_obj, wh


# --- receipts and adjustments --------------------------------------------------------------------


@transaction.atomic
def stock_receive(
    *,
    actor: Actor,
    material: str,
    quantity: Any,
    warehouse: str | None = None,
    reason: str = "",
    document: str = "",
) -> StockLevel:
    """Book goods into stock (purchase receipt, production output, return). ``document`` says
    which T+ document the receipt becomes when T+ is connected: ``purchase_receipt``,
    ``production_receipt``, or (empty) an other receipt."""
    if document not in ("", "purchase_receipt", "production_receipt", "other_receipt"):
        raise ValueError(f"unknown receipt document {document!r}")
    permissions.require(actor, "inventory.receive")
    errors = Errors()
    material_obj, wh = _clean_target(errors, material, warehouse)
    qty = clean_decimal(errors, "quantity", quantity, places=3, strictly_positive=True)
    reason = clean_text(errors, "reason", reason, max_length=200)
    errors.raise_if_any()
    level = level_for(material_obj, wh)
    plan = ledger.lock_levels([level.id])
    plan.add(Change(level.id, MovementKind.RECEIPT, on_hand=qty, reason=reason, document=document))
    ledger.write(plan, actor=actor)
    return plan.levels[level.id]


@transaction.atomic
def stock_adjust(
    *, actor: Actor, material: str, quantity: Any, reason: str, warehouse: str | None = None
) -> StockLevel:
    """Correct the quantity on hand by a signed amount (count difference, breakage, scrap).

    A reason is required. The result may not go below zero nor below what confirmed orders have
    reserved (409 ``stock_below_reserved``): release or ship those first.
    """
    permissions.require(actor, "inventory.adjust")
    errors = Errors()
    material_obj, wh = _clean_target(errors, material, warehouse)
    qty = clean_decimal(errors, "quantity", quantity, places=3)
    if qty is not None and qty == 0:
        errors.add("quantity", _("Enter a change other than 0."))
    reason = clean_text(errors, "reason", reason, max_length=200, required=True)
    errors.raise_if_any()
    level = level_for(material_obj, wh)
    plan = ledger.lock_levels([level.id])
    plan.add(Change(level.id, MovementKind.ADJUST, on_hand=qty, reason=reason))
    ledger.write(plan, actor=actor)
    return plan.levels[level.id]


# --- reservations ----------------------------------------------------------------------------------


def _remaining(line: OrderLine) -> Decimal:
    return line.quantity - line.shipped_quantity


def _shortage(material: Material, requested: Decimal, available: Decimal) -> dict:
    return {
        "material": material.code,
        "requested": fmt(requested),
        "available": fmt(max(available, ZERO)),
    }


def rereserve_order(*, order: Order, actor: Actor | None = None) -> None:
    """Make the order's active reservations match what its stock lines still need.

    Used when an order is confirmed (nothing held yet → reserve everything) and after a design
    change or quantity edit (reserve the increase, release the decrease, release holds of lines
    that were removed or turned into make lines). All-or-nothing: when any material is short,
    ``InsufficientStock`` lists every short material and nothing is written. Call it inside the
    transaction that changed the order.
    """
    with transaction.atomic():
        _rereserve(order, actor)


def _rereserve(order: Order, actor: Actor | None) -> None:
    lines = {
        line.id: line
        for line in OrderLine.objects.filter(order=order).select_related("material")
        if line.fulfilment == Fulfilment.STOCK
    }
    active = list(
        Reservation.objects.filter(order=order, status=ReservationStatus.ACTIVE)
        .select_related("level")
        .order_by("id")
    )
    releases: list[tuple[Reservation, Decimal]] = []
    held: dict[int, Decimal] = defaultdict(Decimal)
    by_line: dict[int, list[Reservation]] = defaultdict(list)
    for r in active:
        line = lines.get(r.order_line_id)
        if line is None or r.level.material_id != line.material_id:
            releases.append((r, r.quantity))
        else:
            held[line.id] += r.quantity
            by_line[line.id].append(r)
    needs: list[tuple[OrderLine, Decimal]] = []
    for line in lines.values():
        diff = _remaining(line) - held[line.id]
        if diff > 0:
            needs.append((line, diff))
        elif diff < 0:
            excess = -diff
            for r in reversed(by_line[line.id]):
                take = min(excess, r.quantity)
                if take > 0:
                    releases.append((r, take))
                    excess -= take
    if not needs and not releases:
        return

    wh = default_warehouse()
    level_ids = {}
    if needs and wh is not None:
        level_ids = dict(
            StockLevel.objects.filter(
                warehouse=wh, material_id__in={line.material_id for line, _q in needs}
            )
            .order_by()
            .values_list("material_id", "id")
        )
    plan = ledger.lock_levels([*level_ids.values(), *(r.level_id for r, _q in releases)])
    for r, qty in releases:
        plan.add(
            Change(
                r.level_id,
                MovementKind.RELEASE,
                reserved=-qty,
                order_id=order.id,
                order_line_id=r.order_line_id,
                reason=_("Re-reservation"),
            )
        )
    requested: dict[int, Decimal] = defaultdict(Decimal)
    materials = {}
    for line, qty in needs:
        requested[line.material_id] += qty
        materials[line.material_id] = line.material
    shortages = []
    for material_id in sorted(requested, key=lambda m: materials[m].code):
        level_id = level_ids.get(material_id)
        available = plan.available(level_id) if level_id else ZERO
        if requested[material_id] > available:
            shortages.append(_shortage(materials[material_id], requested[material_id], available))
    if shortages:
        raise InsufficientStock(shortages)
    for line, qty in needs:
        plan.add(
            Change(
                level_ids[line.material_id],
                MovementKind.RESERVE,
                reserved=qty,
                order_id=order.id,
                order_line_id=line.id,
            )
        )
    ledger.write(plan, actor=actor)

    for r, qty in releases:
        r.quantity -= qty
        r.released += qty
        if r.quantity == 0:
            r.status = ReservationStatus.RELEASED
        r.save(update_fields=["quantity", "released", "status", "updated_at"])
    new = []
    for line, qty in needs:
        existing = next(
            (r for r in by_line[line.id] if r.level_id == level_ids[line.material_id]), None
        )
        if existing is not None:
            existing.quantity += qty
            existing.save(update_fields=["quantity", "updated_at"])
        else:
            new.append(
                Reservation(
                    order=order, order_line=line, level_id=level_ids[line.material_id], quantity=qty
                )
            )
    Reservation.objects.bulk_create(new)


def order_release(*, order: Order, actor: Actor | None = None, reason: str = "") -> None:
    """Give back everything the order holds (it was cancelled). Called inside its transaction."""
    with transaction.atomic():
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


# --- shipments -------------------------------------------------------------------------------------


def _shippable(order: Order, lines: list[OrderLine]) -> bool:
    if order.status == OrderStatus.AWAITING_QC:
        return True
    return order.status == OrderStatus.CONFIRMED and all(
        line.fulfilment == Fulfilment.STOCK for line in lines
    )


def _plan_shipment(lines: list[OrderLine], requested: list[dict] | None):
    if requested is None:
        plan = [(line, _remaining(line)) for line in lines if _remaining(line) > 0]
        if not plan:
            raise NothingToShip()
        return plan
    if not isinstance(requested, list | tuple) or not requested:
        raise ValidationFailed({"lines": _("Choose at least one line to ship.")})
    by_no = {line.line_no: line for line in lines}
    errors = Errors()
    wanted: dict[int, Decimal] = {}
    for i, item in enumerate(requested):
        prefix = f"lines[{i}]"
        if not isinstance(item, dict):
            errors.add(prefix, _("Each line needs a line number and a quantity."))
            continue
        line_no = item.get("line_no")
        line = by_no.get(line_no) if isinstance(line_no, int) else None
        if line is None:
            errors.add(f"{prefix}.line_no", _("The order has no line %(n)s.") % {"n": line_no})
        elif line_no in wanted:
            errors.add(f"{prefix}.line_no", _("Line %(n)s is listed twice.") % {"n": line_no})
        qty = clean_decimal(
            errors, f"{prefix}.quantity", item.get("quantity"), places=3, strictly_positive=True
        )
        if line is not None and qty is not None and line_no not in wanted:
            wanted[line_no] = qty
    errors.raise_if_any()
    over = [
        {
            "line_no": n,
            "requested": fmt(q),
            "remaining": fmt(_remaining(by_no[n])),
        }
        for n, q in sorted(wanted.items())
        if q > _remaining(by_no[n])
    ]
    if over:
        raise OverShipment(details={"lines": over})
    return [(by_no[n], q) for n, q in sorted(wanted.items())]


def _next_shipment_number(order: Order) -> str:
    # The order row is locked by the caller, so counting its shipments is race-free.
    return f"{order.number}-S{order.shipments.count() + 1:02d}"


def _ship(
    order: Order, plan: list[tuple[OrderLine, Decimal]], *, actor: Actor | None, carrier="", tracking_no=""
) -> Shipment:  # fmt: skip
    shipment = Shipment.objects.create(
        order=order,
        number=_next_shipment_number(order),
        carrier=carrier,
        tracking_no=tracking_no,
        shipped_by=actor if getattr(actor, "pk", None) else None,
    )
    ShipmentLine.objects.bulk_create(
        [ShipmentLine(shipment=shipment, order_line=line, quantity=q) for line, q in plan]
    )
    stock = [(line, q) for line, q in plan if line.fulfilment == Fulfilment.STOCK]
    reservations: dict[int, list[Reservation]] = defaultdict(list)
    for r in Reservation.objects.filter(
        order=order, status=ReservationStatus.ACTIVE, order_line_id__in=[ln.id for ln, _q in stock]
    ).order_by("id"):
        reservations[r.order_line_id].append(r)
    wh = default_warehouse()
    default_levels = {}
    if wh is not None and stock:
        default_levels = dict(
            StockLevel.objects.filter(
                warehouse=wh, material_id__in={ln.material_id for ln, _q in stock}
            )
            .order_by()
            .values_list("material_id", "id")
        )
    ledger_plan = ledger.lock_levels(
        [*(r.level_id for rs in reservations.values() for r in rs), *default_levels.values()]
    )
    consumed: list[tuple[Reservation, Decimal]] = []
    shortages = []
    for line, qty in stock:
        left = qty
        for r in reservations[line.id]:
            take = min(left, r.quantity)
            if take <= 0:
                continue
            ledger_plan.add(
                Change(
                    r.level_id,
                    MovementKind.ISSUE,
                    on_hand=-take,
                    reserved=-take,
                    order_id=order.id,
                    order_line_id=line.id,
                    shipment_id=shipment.id,
                )
            )
            consumed.append((r, take))
            left -= take
        if left > 0:  # not held (e.g. reserved before a quantity increase): ship from free stock
            level_id = default_levels.get(line.material_id)
            available = ledger_plan.available(level_id) if level_id else ZERO
            if available < left:
                shortages.append(_shortage(line.material, left, available))
                continue
            ledger_plan.add(
                Change(
                    level_id,
                    MovementKind.ISSUE,
                    on_hand=-left,
                    order_id=order.id,
                    order_line_id=line.id,
                    shipment_id=shipment.id,
                )
            )
    if shortages:
        raise InsufficientStock(shortages)
    ledger.write(ledger_plan, actor=actor)
    for r, take in consumed:
        r.quantity -= take
        r.consumed += take
        if r.quantity == 0:
            r.status = ReservationStatus.CONSUMED
        r.save(update_fields=["quantity", "consumed", "status", "updated_at"])
    for line, qty in plan:
        line.shipped_quantity = line.shipped_quantity + qty
        OrderLine.objects.filter(pk=line.pk).update(shipped_quantity=line.shipped_quantity)
    listeners.shipment_written(shipment)
    return shipment


@transaction.atomic
def shipment_create(
    *,
    actor: Actor,
    order_id: Any,
    lines: list[dict] | None = None,
    carrier: str = "",
    tracking_no: str = "",
) -> Shipment:
    """Ship some or all of what an order still owes.

    ``lines`` is ``[{"line_no", "quantity"}]``; ``None`` ships everything remaining. The order
    must be confirmed with only stock lines, or awaiting QC. Stock lines consume their
    reservation; make lines ship without a stock movement. No line can ship more than ordered
    (409 ``over_shipment``, nothing written). When every line is fully shipped the order moves to
    shipped.
    """
    from zhongshu.orders.services import order_transition

    permissions.require(actor, "inventory.ship")
    qs = permissions.scope_orders(actor, Order.objects.select_for_update(of=("self",)))
    order = permissions.get_in_scope(qs, pk=order_id)
    errors = Errors()
    carrier = clean_text(errors, "carrier", carrier, max_length=60)
    tracking_no = clean_text(errors, "tracking_no", tracking_no, max_length=60)
    errors.raise_if_any()
    order_lines = list(order.lines.select_related("material").order_by("line_no"))
    if not _shippable(order, order_lines):
        raise NotShippable(details={"status": order.status})
    plan = _plan_shipment(order_lines, lines)
    shipment = _ship(order, plan, actor=actor, carrier=carrier, tracking_no=tracking_no)
    if all(_remaining(line) == 0 for line in order_lines):
        order_transition(
            actor=actor, order_id=order.pk, action="ship", data={"shipment": shipment.number}
        )
    return shipment


def ship_remaining(*, order: Order, actor: Actor | None) -> Shipment | None:
    """Ship whatever is left, for a ``ship`` transition fired directly on the order."""
    order_lines = list(order.lines.select_related("material").order_by("line_no"))
    plan = [(line, _remaining(line)) for line in order_lines if _remaining(line) > 0]
    if not plan:
        return None
    return _ship(order, plan, actor=actor)
