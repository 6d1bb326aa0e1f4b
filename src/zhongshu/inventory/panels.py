"""The 库存与发货 panel of the order page: each line with the stock of its material (on hand,
reserved, available) and what is held for the line, and the order's shipments with carrier and
tracking number. Each half shows only to users allowed to see it; two statements
whatever the number of lines (the lines with their grouped stock and holds, the shipments)."""

from django.template.loader import render_to_string

from zhongshu.accounts import permissions
from zhongshu.core.actors import ActorRequest
from zhongshu.orders.models import Order

from . import selectors


def order_panel(request: ActorRequest, order: Order) -> str | None:
    user = request.user
    stock = (
        selectors.order_line_stock(actor=user, order=order)
        if permissions.can(user, "inventory.view")
        else None
    )
    shipments = (
        selectors.order_shipments(actor=user, order=order)
        if permissions.can(user, "shipments.view")
        else None
    )
    if stock is None and shipments is None:
        return None
    return render_to_string(
        "inventory/_order_panel.html",
        {"order": order, "stock": stock, "shipments": shipments},
    )  # no request: the page's context processors (header counters) need not run again
