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
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.web_errors import domain_errors
from zhongshu.customers.exports import customer_export
from zhongshu.inventory.exports import level_export, shipment_export
from zhongshu.orders.exports import order_export

from .audit import AuditFilterForm, audit_filters
from .order_list import order_filters


def _send(request, export: xlsx.ListExport):
    return xlsx.download(*audit.export_workbook(actor=request.user, export=export))


@login_required
@require_GET
@domain_errors
def orders_xlsx(request):
    _form, filters, problems = order_filters(request)
    if problems:
        # a bad custom filter refuses the download rather than export unfiltered rows
        raise ValidationFailed(problems.items)
    return _send(request, order_export(actor=request.user, filters=filters))


@login_required
@require_GET
@domain_errors
def customers_xlsx(request):
    q = request.GET.get("q", "")[:100]
    # a bad custom filter refuses the download (an error page) rather than export unfiltered rows
    return _send(request, customer_export(actor=request.user, q=q, custom_params=request.GET))


@login_required
@require_GET
@domain_errors
def materials_xlsx(request):
    q = request.GET.get("q", "")[:100]
    return _send(request, material_export(actor=request.user, q=q, custom_params=request.GET))


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
