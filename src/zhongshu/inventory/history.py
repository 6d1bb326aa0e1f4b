"""Shipments of past orders, recorded as they happened and moving no stock.

An imported past order (``orders.services.history``) was shipped before the factory went live: the
goods left a stock that was never booked here, so its shipment is a record of the day and the
quantities — the shipments list and the delivery figures read it — and writes no stock movement,
no level change, no reservation and no ERP posting (the ERP already has it). One multi-row insert
per table for the whole list.
"""

import datetime as dt
from decimal import Decimal

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.bulk import Inserter
from zhongshu.orders.models import OrderLine

from .models import Shipment, ShipmentLine


def shipments_record_history(*, actor: Actor, shipped: dict[int, tuple[str, dt.datetime]]) -> int:
    """``shipped``: {order id: (order number, shipped at)} of past orders just written, every
    line shipped in full. One shipment per order, numbered like a first shipment
    (``<order>-S01``). Returns the number of shipments written."""
    permissions.require(actor, "orders.create")
    if not shipped:
        return 0
    Inserter(Shipment, ("order", "number", "shipped_at"), shipped_by_id=actor.pk).insert(
        [(oid, f"{number}-S01", at) for oid, (number, at) in shipped.items()]
    )
    ids = list(shipped)
    by_order: dict[int, int] = {}
    for k in range(0, len(ids), 2000):
        by_order.update(
            Shipment.objects.filter(order_id__in=ids[k : k + 2000]).values_list("order_id", "id")
        )
    rows: list[tuple[int, int, Decimal]] = []
    for k in range(0, len(ids), 2000):
        lines = OrderLine.objects.filter(order_id__in=ids[k : k + 2000]).order_by(
            "order", "line_no"
        )
        rows.extend(
            (by_order[oid], lid, qty)
            for lid, oid, qty in lines.values_list("id", "order_id", "quantity")
        )
    Inserter(ShipmentLine, ("shipment", "order_line", "quantity")).insert(rows)
    return len(shipped)
