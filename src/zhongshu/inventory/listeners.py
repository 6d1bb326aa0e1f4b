"""Who else acts when a package leaves. Apps register a function that runs inside the shipment's
transaction, after its lines and stock movements are written (channels report every package to
the platform). Explicit like ``orders.hooks`` (decisions §7): partial shipments move no order
status, so the order hooks do not see them.

    from zhongshu.inventory import listeners

    @listeners.on_shipment
    def report(shipment): ...
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Shipment

ShipmentListener = Callable[["Shipment"], object]

_on_shipment: list[ShipmentListener] = []


def on_shipment(fn: ShipmentListener) -> ShipmentListener:
    if fn not in _on_shipment:
        _on_shipment.append(fn)
    return fn


def shipment_written(shipment: "Shipment") -> None:
    for fn in _on_shipment:
        fn(shipment)
