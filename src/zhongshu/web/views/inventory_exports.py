"""xlsx downloads of the inventory pages (stock levels, shipments), logged in the audit trail.

They belong with inventory's pages and move there when inventory's urls take them; their paths and
names stay as the inventory templates link them.
"""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from zhongshu.accounts import audit
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.web_errors import domain_errors
from zhongshu.inventory.exports import level_export, shipment_export


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
    return audit.export_download(actor=request.user, export=export)


@login_required
@require_GET
@domain_errors
def shipments_xlsx(request):
    order = normalize_code(request.GET.get("order", ""))[:20]
    return audit.export_download(
        actor=request.user, export=shipment_export(actor=request.user, order=order)
    )
