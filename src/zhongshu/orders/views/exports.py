"""The xlsx download of the order list, with the filters the page shows and the user's scope.

The view reads its filters exactly as the list page does, asks the export builder (which checks
the permission and scopes the rows through the list's selector) and sends the workbook; the
download is logged in the audit trail.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.views.decorators.http import require_GET

from zhongshu.accounts import audit
from zhongshu.core.actors import ActorRequest
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.web_errors import domain_errors

from ..exports import order_export
from .order_list import order_filters


@login_required
@require_GET
@domain_errors
def orders_xlsx(request: ActorRequest) -> FileResponse:
    _form, filters, problems = order_filters(request)
    if problems:
        # a bad custom filter refuses the download rather than export unfiltered rows
        raise ValidationFailed(problems.items)
    return audit.export_download(
        actor=request.user, export=order_export(actor=request.user, filters=filters)
    )
