"""Channels' part in shipping: every package (shipment) of a channel order puts a logistics
report in the outbox inside the shipment's transaction and tries to deliver it right after the
commit; the worker job ``channels.logistics`` retries whatever is left.

Partial shipments do not move the order (only the last one fires the ``ship`` transition), so the
packages are caught where they are written: ``inventory.listeners.on_shipment``. The ``ship``
effect covers an order shipped by the transition alone; both find the same row for the same
package.

A line whose refund is pending on the platform (``ChannelOrder.held_lines``) does not ship: the
``ship`` guard refuses the transition and ``refuse_held_lines`` refuses a package that carries it
(it runs inside the shipment's transaction, so nothing of the package is written)."""

from django.db import transaction
from django.db.models import F

from zhongshu.inventory import listeners
from zhongshu.orders import hooks


def _held_line_nos(order_id: int) -> set[int]:
    from .models import ChannelOrder

    held: set[int] = set()
    for lines in ChannelOrder.objects.filter(order_id=order_id).values_list(
        "held_lines", flat=True
    ):
        held.update(int(n) for n in lines or [])
    return held


@listeners.on_shipment
def refuse_held_lines(shipment) -> None:
    held = _held_line_nos(shipment.order_id)
    if not held:
        return
    from zhongshu.inventory.models import ShipmentLine

    shipped = set(
        ShipmentLine.objects.filter(shipment=shipment, quantity__gt=0).values_list(
            "order_line__line_no", flat=True
        )
    )
    if shipped & held:
        from .exceptions import HeldByRefund

        raise HeldByRefund(details={"lines": sorted(shipped & held)})


@hooks.guard("ship")
def refunds_pending_block_shipping(ctx: hooks.TransitionContext) -> None:
    held = _held_line_nos(ctx.order.pk)
    if not held:
        return
    from zhongshu.orders.models import OrderLine

    open_lines = set(
        OrderLine.objects.filter(order=ctx.order, line_no__in=held)
        .exclude(shipped_quantity__gte=F("quantity"))
        .values_list("line_no", flat=True)
    )
    if open_lines:
        from .exceptions import HeldByRefund

        raise HeldByRefund(details={"lines": sorted(open_lines)})


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
