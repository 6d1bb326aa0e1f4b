"""Who else acts when a package leaves. Apps register a function that runs inside the shipment's
transaction, after its lines and stock movements are written (channels report every package to
the platform). Explicit like ``orders.hooks`` (decisions §7): partial shipments move no order
status, so the order hooks do not see them.

    from zhongshu.inventory import listeners

    @listeners.on_shipment
    def report(shipment): ...
"""

from collections.abc import Callable

_on_shipment: list[Callable] = []


def on_shipment(fn: Callable) -> Callable:
    if fn not in _on_shipment:
        _on_shipment.append(fn)
    return fn


def shipment_written(shipment) -> None:
    for fn in _on_shipment:
        fn(shipment)
