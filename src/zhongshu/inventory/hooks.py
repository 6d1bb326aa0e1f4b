"""Inventory's part in the order status machine (registered from ``InventoryConfig.ready``)."""

from decimal import Decimal
from typing import Any

from django.dispatch import receiver

from zhongshu.core.actors import Actor
from zhongshu.core.signals import scrap_reported, scrap_withdrawn
from zhongshu.orders import hooks

from . import erp, services
from .services import components


@hooks.effect("confirm")
def reserve_on_confirm(ctx: hooks.TransitionContext) -> None:
    # Raising InsufficientStock here rolls the whole confirmation back: nothing reserved, the
    # order stays pending review, and the error lists every short material.
    # Make lines hold their components all or nothing with the stock lines.
    reserved = services.order_reserve(order=ctx.order, actor=ctx.actor)
    ctx.outcome["reserved"] = [
        {"line_no": line.line_no, "material": line.material.code, "quantity": qty}
        for line, qty in reserved
    ]


@hooks.effect("start")
def issue_components_on_start(ctx: hooks.TransitionContext) -> None:
    # the first operation started (or production was started by hand): the components held for
    # the make lines go to the floor — a material issue in the ledger (and to T+ when connected)
    components.issue_order(order=ctx.order, actor=ctx.actor)


@hooks.effect("cancel")
def release_on_cancel(ctx: hooks.TransitionContext) -> None:
    services.order_release(order=ctx.order, actor=ctx.actor, reason=ctx.note)


@hooks.effect("ship")
def ship_remaining_on_ship(ctx: hooks.TransitionContext) -> None:
    # shipment_create fires "ship" itself once everything is out and says so in ctx.data;
    # a ship transition fired directly on the order ships whatever is still owed.
    if ctx.data.get("shipment"):
        return
    services.ship_remaining(order=ctx.order, actor=ctx.actor)


@hooks.effect("finish")
def book_finished_goods_on_finish(ctx: hooks.TransitionContext) -> None:
    # With an ERP owning on-hand, what production made is booked in (产成品入库) and held for
    # the order, so the shipment's 销货单 takes it out again; without one nothing changes.
    if erp.connected():
        services.finished_goods_receive(order=ctx.order, actor=ctx.actor)


@receiver(scrap_reported, dispatch_uid="zs_inventory.components_for_scrap")
def components_for_scrap(
    sender: Any, *, actor: Actor | None, order_line_id: Any, scrap_quantity: Decimal, **kw: Any
) -> None:
    """Units scrapped at an operation need their components again (inside the finish's
    transaction): held now, and flagged short when the shelf has not enough."""
    if scrap_quantity > 0 and order_line_id is not None:
        components.components_adjust_for_scrap(
            actor=actor, order_line_id=order_line_id, quantity=scrap_quantity,
            reason=f"task {kw.get('task_id')}",
        )  # fmt: skip


@receiver(scrap_withdrawn, dispatch_uid="zs_inventory.components_scrap_withdrawn")
def components_for_withdrawn_scrap(
    sender: Any, *, actor: Actor | None, order_line_id: Any, scrap_quantity: Decimal, **kw: Any
) -> None:
    if scrap_quantity > 0 and order_line_id is not None:
        components.components_scrap_withdrawn(
            actor=actor, order_line_id=order_line_id, quantity=scrap_quantity
        )
