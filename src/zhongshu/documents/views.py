"""Printed documents: a print page (print CSS, A4 or 241 mm continuous form) and a PDF download
for each: 采购订单, 送货单, 生产任务单/流转卡 with a QR code per operation, 对账单 and the order
confirmation; and the page a task's QR code opens on the phone."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from pylopdf_fonts_zh_cn import sans_path

from zhongshu.core.web_errors import domain_errors

from . import qr, sources
from .company import company
from .paper import PAPERS, paper_of
from .pdf import render_pdf

CENT = Decimal("0.01")


def _respond(request, name: str, context: dict, *, title: str, filename: str):
    """The print page, or with ``?format=pdf`` the PDF of the same document."""
    paper = paper_of(request)
    context = {
        **context,
        "company": company(),
        "paper": paper,
        "papers": PAPERS,
        "title": title,
        "printed_at": timezone.localtime(),
        "hidden": sources.hidden_customer_fields(actor=request.user),
    }
    if request.GET.get("format") == "pdf":
        body = render_pdf(f"documents/pdf/{name}.html", context, paper=paper, title=title,
                          request=request)  # fmt: skip
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
        return response
    return render(request, f"documents/{name}.html", context)


@login_required
@domain_errors
def purchase_order(request, number: str):
    doc = sources.purchase_order(actor=request.user, number=number)
    return _respond(request, "purchase_order", {"doc": doc}, title=_("Purchase order form"),
                    filename=doc.number)  # fmt: skip


@login_required
@domain_errors
def delivery_note(request, shipment_id: int):
    shipment = sources.shipment(actor=request.user, shipment_id=shipment_id)
    return _respond(request, "delivery_note", {"shipments": [shipment]},
                    title=_("Delivery note"), filename=shipment.number)  # fmt: skip


@login_required
@domain_errors
def delivery_notes(request, order_id: int):
    shipments = sources.shipments_of_order(actor=request.user, order_id=order_id)
    return _respond(request, "delivery_note", {"shipments": shipments},
                    title=_("Delivery note"), filename=shipments[0].order.number)  # fmt: skip


def _task_url(request, task_id: int) -> str:
    return request.build_absolute_uri(reverse("documents:task", args=[task_id]))


@login_required
@domain_errors
def task_sheet(request, sheet_id: int):
    doc = sources.task_sheet(actor=request.user, sheet_id=sheet_id)
    pdf = request.GET.get("format") == "pdf"
    for t in doc.tasks:
        t.qr_url = _task_url(request, t.pk)
        t.qr = qr.png_data_uri(t.qr_url) if pdf else qr.svg(t.qr_url)
    return _respond(request, "task_sheet", {"doc": doc}, title=_("Production task sheet"),
                    filename=doc.sheet.number)  # fmt: skip


@login_required
@domain_errors
def task(request, task_id: int):
    """Where a task's QR code leads: the task, with start or finish when the user may."""
    found, can_start, can_finish = sources.task(actor=request.user, task_id=task_id)
    return render(
        request,
        "documents/task.html",
        {"task": found, "can_start": can_start, "can_finish": can_finish},
    )


@login_required
@domain_errors
def statement(request):
    doc = sources.statement(
        actor=request.user,
        customer=request.GET.get("customer", ""),
        start=request.GET.get("start", ""),
        end=request.GET.get("end", ""),
    )
    return _respond(request, "statement", {"doc": doc}, title=_("Statement of account"),
                    filename=f"{doc.customer.code}-{doc.end:%Y%m%d}")  # fmt: skip


@login_required
@domain_errors
def order_confirmation(request, order_id: int):
    order = sources.order_with_prices(actor=request.user, order_id=order_id)
    for line in order.lines.all():
        line.amount_net = (line.quantity * line.unit_price).quantize(CENT)
    kind = (
        _("Quotation") if order.status in ("draft", "pending_review") else _("Order confirmation")
    )
    return _respond(request, "order_confirmation", {"order": order, "kind": kind}, title=kind,
                    filename=order.number)  # fmt: skip


@require_GET
@cache_control(public=True, max_age=31536000, immutable=True)
def font(request):
    """The Chinese font of the print pages (the one embedded in the PDFs), so a print looks the
    same on a machine without Chinese fonts."""
    return FileResponse(sans_path().open("rb"), content_type="font/otf")
