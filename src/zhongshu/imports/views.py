"""Import pages: the list with the upload form, the preview of a batch (counts, row errors, commit
buttons, a progress bar polled by htmx while the worker runs), downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.core.errors import DomainError, PermissionDenied
from zhongshu.core.web_errors import domain_errors

from . import selectors, services
from .api import XLSX
from .kinds import KINDS
from .kinds.fieldrules import template_columns
from .kinds.users import passwords_take
from .models import ImportKind
from .workbooks import error_workbook, template_workbook

PAGE = 50


def _kinds(user):
    return [(k, label) for k, label in ImportKind.choices if permissions.can(user, KINDS[k].action)]


@login_required
@domain_errors
def batch_list(request):
    kinds = _kinds(request.user)
    if not kinds:
        raise PermissionDenied()
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to upload."))
        elif upload.size > services.max_bytes():
            messages.error(
                request,
                _("The file is too large; the limit is %(n)s MB.")
                % {"n": round(services.max_bytes() / 1048576, 1)},
            )
        else:
            try:
                batch = services.batch_upload(
                    actor=request.user,
                    content=upload.read(),
                    name=upload.name,
                    kind=request.POST.get("kind", ""),
                )
            except DomainError as exc:
                details = exc.details.get("errors") if isinstance(exc.details, dict) else None
                messages.error(request, details[0]["message"] if details else str(exc.message))
            else:
                return redirect("imports:detail", batch_id=batch.pk)
    batches = list(selectors.batch_list(actor=request.user)[:PAGE])
    return render(request, "imports/list.html", {"batches": batches, "kinds": kinds})


@login_required
@domain_errors
def batch_detail(request, batch_id: int):
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    rows = list(selectors.problem_rows(batch).only("row_no", "errors", "warnings", "status")[:200])
    passwords = []
    if batch.kind == ImportKind.USERS and batch.user_id == request.user.pk:
        passwords = passwords_take(actor=request.user, batch_id=batch.pk)  # shown this once
    return render(
        request, "imports/detail.html", {"batch": batch, "rows": rows, "passwords": passwords}
    )


@login_required
@domain_errors
def batch_progress(request, batch_id: int):
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    response = render(request, "imports/_progress.html", {"batch": batch})
    if not batch.busy:
        response["HX-Refresh"] = "true"  # reload the preview with the final counts
    return response


@require_POST
@login_required
@domain_errors
def batch_commit(request, batch_id: int):
    try:
        services.batch_commit(
            actor=request.user, batch_id=batch_id, mode=request.POST.get("mode", "valid_only")
        )
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        messages.error(request, str(exc.message))
    return redirect("imports:detail", batch_id=batch_id)


@require_POST
@login_required
@domain_errors
def batch_cancel(request, batch_id: int):
    try:
        services.batch_cancel(actor=request.user, batch_id=batch_id)
    except DomainError as exc:
        if exc.http_status == 404:
            raise
        messages.error(request, str(exc.message))
    return redirect("imports:detail", batch_id=batch_id)


@login_required
@domain_errors
def batch_errors(request, batch_id: int):
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    resp = HttpResponse(error_workbook(batch), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.xlsx"'
    return resp


@login_required
@domain_errors
def template(request, kind: str):
    if kind not in KINDS:
        raise Http404
    spec = KINDS[kind]
    permissions.require(request.user, spec.action)
    columns = template_columns(request.user, spec.entity, spec.columns)
    resp = HttpResponse(template_workbook(kind, columns), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="import-{kind}-template.xlsx"'
    return resp
