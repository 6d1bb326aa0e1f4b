"""Channels' part in order transitions: shipping a channel order puts a logistics report in the
outbox (inside the ship transaction) and tries to deliver it right after the commit; the worker
job ``channels.logistics`` retries whatever is left."""

from zhongshu.orders import hooks


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
