"""Purchase suggestions for purchasing: the list with filters, run MRP, accept, edit, dismiss,
xlsx export; and the purchase orders accepted so far."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.errors import DomainError
from zhongshu.core.text import normalize_text
from zhongshu.web.errors import apply_error, domain_errors

from . import exports, selectors, services
from .models import SuggestionReason, SuggestionStatus

PAGE = 100


def _filters(request) -> selectors.SuggestionFilters:
    status = request.GET.get("status", SuggestionStatus.NEW)
    if status not in SuggestionStatus.values and status != "all":
        status = SuggestionStatus.NEW
    reason = request.GET.get("reason", "")
    if reason not in SuggestionReason.values:
        reason = ""
    try:
        until = dt.date.fromisoformat(request.GET.get("until", ""))
    except ValueError:
        until = None
    return selectors.SuggestionFilters(
        status=status,
        q=normalize_text(request.GET.get("q", ""))[:60],
        reason=reason,
        order_by_until=until,
        late=request.GET.get("late") == "1",
    )


@login_required
@domain_errors
def suggestion_list(request):
    f = _filters(request)
    try:
        offset = max(0, int(request.GET.get("offset", 0)))
    except ValueError:
        offset = 0
    rows = list(
        selectors.suggestion_list(actor=request.user, filters=f)[offset : offset + PAGE + 1]
    )
    page = rows[:PAGE]
    selectors.attach_pegs(page)
    query = request.GET.copy()
    query.pop("offset", None)
    return render(
        request,
        "planning/suggestions.html",
        {
            "suggestions": page,
            "f": f,
            "query": query.urlencode(),
            "next_offset": offset + PAGE if len(rows) > PAGE else None,
            "prev_offset": max(0, offset - PAGE) if offset else None,
            "statuses": SuggestionStatus.choices,
            "reasons": SuggestionReason.choices,
            "run": selectors.last_run(actor=request.user),
            "can_run": permissions.can(request.user, "planning.run"),
            "can_decide": permissions.can(request.user, "planning.decide"),
            "can_export": permissions.can(request.user, "planning.export"),
        },
    )


@login_required
@domain_errors
def suggestion_xlsx(request):
    export = exports.suggestion_export(actor=request.user, filters=_filters(request))
    return xlsx.download(*export_workbook(actor=request.user, export=export))


def _act(request, fn, ok_message):
    try:
        fn()
    except DomainError as exc:
        apply_error(request, exc)
    else:
        messages.success(request, ok_message)
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/planning/") else "planning:suggestion_list")


@login_required
@domain_errors
@require_POST
def run(request):
    permissions.require(request.user, "planning.run")
    return _act(request, lambda: services.mrp_run(actor=request.user), _("MRP has run."))


@login_required
@domain_errors
@require_POST
def accept(request, pk: int):
    permissions.require(request.user, "planning.decide")
    return _act(
        request,
        lambda: services.suggestion_accept(actor=request.user, suggestion_id=pk),
        _("Purchase order created."),
    )


@login_required
@domain_errors
@require_POST
def edit(request, pk: int):
    permissions.require(request.user, "planning.decide")
    return _act(
        request,
        lambda: services.suggestion_update(
            actor=request.user,
            suggestion_id=pk,
            quantity=request.POST.get("quantity") or None,
            order_by=request.POST.get("order_by") or None,
            need_date=request.POST.get("need_date") or None,
        ),
        _("Suggestion updated."),
    )


@login_required
@domain_errors
@require_POST
def dismiss(request, pk: int):
    permissions.require(request.user, "planning.decide")
    return _act(
        request,
        lambda: services.suggestion_dismiss(
            actor=request.user, suggestion_id=pk, reason=request.POST.get("reason", "")
        ),
        _("Suggestion dismissed."),
    )


@login_required
@domain_errors
def purchase_order_list(request):
    orders = list(selectors.purchase_order_list(actor=request.user)[:PAGE])
    return render(request, "planning/purchase_orders.html", {"orders": orders})
