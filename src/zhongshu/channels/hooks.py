"""Channels' part in shipping: every package (shipment) of a channel order puts a logistics
report in the outbox inside the shipment's transaction and tries to deliver it right after the
commit; the worker job ``channels.logistics`` retries whatever is left.

Partial shipments do not move the order (only the last one fires the ``ship`` transition), so the
packages are caught where they are written: ``inventory.listeners.on_shipment``. The ``ship``
effect covers an order shipped by the transition alone; both find the same row for the same
package."""

from django.db import transaction

from zhongshu.inventory import listeners
from zhongshu.orders import hooks


@listeners.on_shipment
def enqueue_package(shipment) -> None:
    from .logistics import deliver, enqueue

    ids = [r.pk for r in enqueue(order_id=shipment.order_id, shipment_number=shipment.number)]
    if ids:
        transaction.on_commit(lambda: deliver(ids=ids))


@hooks.effect("ship")
def enqueue_logistics(ctx: hooks.TransitionContext) -> None:
    from .logistics import enqueue

    ctx.data["channel_logistics"] = [
        r.pk for r in enqueue(order_id=ctx.order.pk, shipment_number=ctx.data.get("shipment"))
    ]


@hooks.on_commit("ship")
def deliver_logistics(ctx: hooks.TransitionContext) -> None:
    ids = ctx.data.get("channel_logistics")
    if ids:
        from .logistics import deliver

        deliver(ids=ids)
