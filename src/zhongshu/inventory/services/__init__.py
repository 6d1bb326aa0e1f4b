"""Inventory use cases: receipts, adjustments, reservations for orders, shipments.

Allocation: an order reserves every stock line at the default warehouse (one warehouse per
company is the common case; moving goods between warehouses is a receipt plus an adjustment).
Make-to-order lines are not reserved and ship without a stock movement, unless an ERP is
connected: then production's finished goods are booked in and held for them (``finished_goods``).

The public names are re-exported here, so callers write ``from zhongshu.inventory.services
import shipment_create`` whichever module of the package holds it.
"""

from .finished_goods import finished_goods_receive
from .reservations import HOLDING, order_release, order_reserve, rereserve_order
from .shipments import ship_remaining, shipment_create
from .stock import (
    default_warehouse,
    level_for,
    stock_adjust,
    stock_receive,
    warehouse_create,
)

__all__ = [
    "HOLDING",
    "default_warehouse",
    "finished_goods_receive",
    "level_for",
    "order_release",
    "order_reserve",
    "rereserve_order",
    "ship_remaining",
    "shipment_create",
    "stock_adjust",
    "stock_receive",
    "warehouse_create",
]
