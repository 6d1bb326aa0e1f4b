"""Shipments: what an order still owes leaves the warehouse, consuming its reservations."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Fulfilment
from zhongshu.core.actors import Actor, recorded
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.validation import Errors, clean_decimal, clean_text
from zhongshu.orders.models import Order, OrderLine
from zhongshu.orders.statuses import OrderStatus

from .. import ledger, listeners
from ..exceptions import InsufficientStock, NothingToShip, NotShippable, OverShipment
from ..ledger import Change, fmt
from ..models import ZERO, MovementKind, Reservation, ReservationStatus, Shipment, ShipmentLine
from .finished_goods import booked_by_line
from .reservations import remaining, shortage
from .stock import default_level_ids


def _shippable(order: Order, lines: list[OrderLine]) -> bool:
    if order.status == OrderStatus.AWAITING_QC:
        return True
    return order.status == OrderStatus.CONFIRMED and all(
        line.fulfilment == Fulfilment.STOCK for line in lines
    )


def _plan_shipment(
    lines: list[OrderLine], requested: list[dict[str, Any]] | None
) -> list[tuple[OrderLine, Decimal]]:
    if requested is None:
        plan = [(line, remaining(line)) for line in lines if remaining(line) > 0]
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
        if (
            isinstance(line_no, int)
            and line is not None
            and qty is not None
            and line_no not in wanted
        ):
            wanted[line_no] = qty
    errors.raise_if_any()
    over = [
        {
            "line_no": n,
            "requested": fmt(q),
            "remaining": fmt(remaining(by_no[n])),
        }
        for n, q in sorted(wanted.items())
        if q > remaining(by_no[n])
    ]
    if over:
        raise OverShipment(details={"lines": over})
    return [(by_no[n], q) for n, q in sorted(wanted.items())]


def _next_shipment_number(order: Order) -> str:
    # The order row is locked by the caller, so counting its shipments is race-free.
    return f"{order.number}-S{order.shipments.count() + 1:02d}"


def _ship(
    order: Order,
    plan: list[tuple[OrderLine, Decimal]],
    *,
    actor: Actor | None,
    carrier: str = "",
    tracking_no: str = "",
) -> Shipment:
    shipment = Shipment.objects.create(
        order=order,
        number=_next_shipment_number(order),
        carrier=carrier,
        tracking_no=tracking_no,
        shipped_by=recorded(actor),
    )
    ShipmentLine.objects.bulk_create(
        [ShipmentLine(shipment=shipment, order_line=line, quantity=q) for line, q in plan]
    )
    # stock lines, and make lines whose finished goods production booked into stock (T+)
    booked = booked_by_line(ln.id for ln, _q in plan if ln.fulfilment != Fulfilment.STOCK)
    stock = [(ln, q) for ln, q in plan if ln.fulfilment == Fulfilment.STOCK or booked[ln.id] > 0]
    ledger_plan, consumed = _plan_issues(order, shipment, stock)
    # one ledger write: its moves become one 销货单 for the whole shipment when T+ is connected
    ledger.write(ledger_plan, actor=actor)
    now = timezone.now()
    for r, take in consumed:
        r.quantity -= take
        r.consumed += take
        if r.quantity == 0:
            r.status = ReservationStatus.CONSUMED
        r.updated_at = now
    # one statement each, however many lines ship
    held = list({r.pk: r for r, _take in consumed}.values())
    Reservation.objects.bulk_update(held, ["quantity", "consumed", "status", "updated_at"])
    for line, qty in plan:
        line.shipped_quantity = line.shipped_quantity + qty
    OrderLine.objects.bulk_update([line for line, _qty in plan], ["shipped_quantity"])
    listeners.shipment_written(shipment)
    return shipment


def _plan_issues(
    order: Order, shipment: Shipment, stock: list[tuple[OrderLine, Decimal]]
) -> tuple[ledger.Plan, list[tuple[Reservation, Decimal]]]:
    """The issue moves of the stock lines: first from their reservations, the rest from free
    stock at the default warehouse. Raises ``InsufficientStock`` when free stock is short."""
    reservations: dict[int, list[Reservation]] = defaultdict(list)
    for r in Reservation.objects.filter(
        order=order, status=ReservationStatus.ACTIVE, order_line_id__in=[ln.id for ln, _q in stock]
    ).order_by("id"):
        assert r.order_line_id is not None  # filtered by line just above
        reservations[r.order_line_id].append(r)
    default_levels = default_level_ids({ln.material_id for ln, _q in stock})
    ledger_plan = ledger.lock_levels(
        [*(r.level_id for rs in reservations.values() for r in rs), *default_levels.values()]
    )
    consumed: list[tuple[Reservation, Decimal]] = []
    shortages = []

    def issue(level_id: int, line: OrderLine, qty: Decimal, *, held: bool) -> None:
        ledger_plan.add(Change(level_id, MovementKind.ISSUE, on_hand=-qty,
                               reserved=-qty if held else ZERO, order_id=order.id,
                               order_line_id=line.id, shipment_id=shipment.id))  # fmt: skip

    for line, qty in stock:
        left = qty
        for r in reservations[line.id]:
            take = min(left, r.quantity)
            if take > 0:
                issue(r.level_id, line, take, held=True)
                consumed.append((r, take))
                left -= take
        if left > 0:  # not held (e.g. reserved before a quantity increase): ship from free stock
            level_id = default_levels.get(line.material_id)
            available = ledger_plan.available(level_id) if level_id else ZERO
            if available < left:
                shortages.append(shortage(line.material, left, available))
                continue
            assert level_id is not None  # without a level nothing is available: short above
            issue(level_id, line, left, held=False)
    if shortages:
        raise InsufficientStock(shortages)
    return ledger_plan, consumed


@transaction.atomic
def shipment_create(
    *,
    actor: Actor,
    order_id: Any,
    lines: list[dict[str, Any]] | None = None,
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
    if all(remaining(line) == 0 for line in order_lines):
        order_transition(
            actor=actor, order_id=order.pk, action="ship", data={"shipment": shipment.number}
        )
    return shipment


def ship_remaining(*, order: Order, actor: Actor | None) -> Shipment | None:
    """Ship whatever is left, for a ``ship`` transition fired directly on the order."""
    order_lines = list(order.lines.select_related("material").order_by("line_no"))
    plan = [(line, remaining(line)) for line in order_lines if remaining(line) > 0]
    if not plan:
        return None
    return _ship(order, plan, actor=actor)
