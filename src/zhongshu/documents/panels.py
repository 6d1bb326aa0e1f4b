"""The 打印单据 panel of the order page: every printable document of the order — the quotation or
order confirmation, its task sheets, its delivery notes — each with a print and a PDF link, shown
only to users allowed to open it. Two queries at most (sheets, shipments)."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.inventory import selectors as inventory
from zhongshu.production.models import TaskSheet


def order_panel(request, order) -> str | None:
    user = request.user
    confirmation = (
        _("Quotation") if order.status in ("draft", "pending_review") else _("Order confirmation")
    )
    sheets: list = []
    if permissions.can(user, "documents.print_task_sheet"):
        sheets = list(
            TaskSheet.objects.filter(order=order).exclude(status="cancelled").order_by("id")
        )
    shipments: list = []
    if permissions.can(user, "shipments.view"):
        shipments = list(inventory.shipment_list(actor=user, order=order.number).order_by("id"))
    # the quotation / confirmation is its prices: not offered to a reader whose roles hide them
    priced = permissions.field_level(user, "price") != "hidden"
    if not (priced or sheets or shipments):
        return None
    return render_to_string(
        "documents/_order_panel.html",
        {"order": order, "confirmation": confirmation if priced else "", "sheets": sheets,
         "shipments": shipments},
        request=request,
    )  # fmt: skip
