"""Finished goods from production into stock, held for the order they were made for.

When an ERP owns on-hand stock, what production makes has to reach it twice: in, as a
产成品入库 when production finishes, and out, in the shipment's 销货单. So on ``finish`` every
make-to-order line books what it has not booked yet at the default warehouse (a receipt with
the production-receipt document, carrying the order line) and reserves it for that line; the
shipment then consumes the hold like a stock line's. Booking is counted per order line from its
receipts, so a rework cycle (QC failed, finished again) never books the same goods twice.

Without an ERP the make lines keep shipping without a stock movement, as they always did.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from zhongshu.catalog.models import Fulfilment
from zhongshu.core.actors import Actor
from zhongshu.orders.models import Order, OrderLine

from .. import ledger
from ..ledger import Change
from ..models import MovementKind, Reservation, StockMovement
from .stock import default_warehouse, level_for


def booked_by_line(line_ids: Iterable[int]) -> dict[int, Decimal]:
    """Per order line, the finished goods production has booked into stock for it."""
    rows = (
        StockMovement.objects.filter(order_line_id__in=list(line_ids), kind=MovementKind.RECEIPT)
        .values("order_line_id")
        .order_by()
        .annotate(total=Sum("on_hand_delta"))
    )
    out: dict[int, Decimal] = defaultdict(Decimal)
    for row in rows:
        out[row["order_line_id"]] = row["total"]
    return out


def finished_goods_receive(
    *, order: Order, actor: Actor | None = None
) -> list[tuple[OrderLine, Decimal]]:
    """Book into stock, and hold for the order, what its make lines produced and have not been
    booked yet. Runs inside the ``finish`` transition (its permission is the transition's).
    Returns the (line, quantity) booked."""
    with transaction.atomic():
        lines = [
            line
            for line in OrderLine.objects.filter(order=order).select_related("material")
            if line.fulfilment == Fulfilment.MAKE
        ]
        wh = default_warehouse()
        if not lines or wh is None:  # no warehouse to book into: nothing is stocked here yet
            return []
        booked = booked_by_line(line.id for line in lines)
        todo = [(line, line.quantity - booked[line.id]) for line in lines]
        todo = [(line, qty) for line, qty in todo if qty > 0]
        if not todo:
            return []
        levels = {line.id: level_for(line.material, wh) for line, _q in todo}
        plan = ledger.lock_levels(level.id for level in levels.values())
        reason = _("Finished goods of %(order)s") % {"order": order.number}
        for line, qty in todo:
            level_id = levels[line.id].id
            plan.add(Change(level_id, MovementKind.RECEIPT, on_hand=qty, document="production_receipt",
                            order_id=order.id, order_line_id=line.id, reason=reason))  # fmt: skip
            plan.add(Change(level_id, MovementKind.RESERVE, reserved=qty,
                            order_id=order.id, order_line_id=line.id, reason=reason))  # fmt: skip
        ledger.write(plan, actor=actor)
        Reservation.objects.bulk_create(
            [
                Reservation(order=order, order_line=line, level_id=levels[line.id].id, quantity=q)
                for line, q in todo
            ]
        )
        return todo
