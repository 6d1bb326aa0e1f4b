"""xlsx downloads of the list pages, with the filters the page shows and the user's scope.

Each view reads its filters exactly as its list page does, asks the app's export builder (which
checks the permission and scopes the rows through the list's selector) and sends the workbook;
the download is logged in the audit trail.
"""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from zhongshu.accounts import audit
from zhongshu.catalog.exports import material_export
from zhongshu.core import xlsx
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.customers.exports import customer_export
from zhongshu.inventory.exports import level_export, shipment_export
from zhongshu.orders import selectors as orders
from zhongshu.orders.exports import order_export

from ..errors import domain_errors
from ..forms import OrderFilterForm
from .audit import AuditFilterForm, audit_filters


def _send(request, export: xlsx.ListExport):
    return xlsx.download(*audit.export_workbook(actor=request.user, export=export))


@login_required
@require_GET
@domain_errors
def orders_xlsx(request):
    form = OrderFilterForm(request.GET or None)
    form.is_valid()  # as on the list page: invalid filters are ignored
    f = form.cleaned_data if form.is_bound else {}
    filters = orders.OrderFilters(
        status=f.get("status") or None,
        customer=f.get("customer", ""),
        priority=f.get("priority", ""),
        due_after=f.get("due_from"),
        due_before=f.get("due_to"),
        created_from=f.get("created_from"),
        created_to=f.get("created_to"),
        q=f.get("q", ""),
    )
    return _send(request, order_export(actor=request.user, filters=filters))


@login_required
@require_GET
@domain_errors
def customers_xlsx(request):
    q = request.GET.get("q", "")[:100]
    return _send(request, customer_export(actor=request.user, q=q))


@login_required
@require_GET
@domain_errors
def materials_xlsx(request):
    q = request.GET.get("q", "")[:100]
    return _send(request, material_export(actor=request.user, q=q))


@login_required
@require_GET
@domain_errors
def stock_xlsx(request):
    export = level_export(
        actor=request.user,
        q=normalize_text(request.GET.get("q", ""))[:60],
        warehouse=normalize_code(request.GET.get("warehouse", ""))[:20],
        below_safety=request.GET.get("alerts") == "1",
    )
    return _send(request, export)


@login_required
@require_GET
@domain_errors
def shipments_xlsx(request):
    order = normalize_code(request.GET.get("order", ""))[:20]
    return _send(request, shipment_export(actor=request.user, order=order))


@login_required
@require_GET
@domain_errors
def audit_xlsx(request):
    form = AuditFilterForm(request.GET or None)
    form.is_valid()
    filters = audit_filters(form)
    return _send(request, audit.audit_export(actor=request.user, filters=filters))
