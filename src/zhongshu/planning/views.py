"""Purchase suggestions for purchasing: the list with filters, run MRP, accept, edit, dismiss,
xlsx export; purchase orders (receive, cancel); demand forecasts; the promise-date panel of the
order form."""

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.errors import DomainError
from zhongshu.core.redirects import redirect_back
from zhongshu.core.text import normalize_text
from zhongshu.core.web_errors import apply_error, domain_errors

from . import exports, purchasing_selectors, selectors, services
from .models import (
    ForecastBucket,
    ForecastMethod,
    PurchaseOrderStatus,
    SuggestionReason,
    SuggestionStatus,
)

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


def _offset(request) -> int:
    try:
        return min(max(0, int(request.GET.get("offset", 0))), 10**6)
    except ValueError:
        return 0


@login_required
@domain_errors
def suggestion_list(request):
    if not permissions.can(request.user, "planning.view") and permissions.can(
        request.user, "planning.po_view"
    ):
        return redirect("planning:purchase_order_list")  # the warehouse comes to receive goods
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
            "forecast": selectors.last_forecast_run(actor=request.user),
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
    return redirect_back(request, "planning:suggestion_list", prefix="/planning/")


@login_required
@domain_errors
@require_POST
def run(request):
    permissions.require(request.user, "planning.run")
    demand = request.POST.get("demand", "orders")
    return _act(
        request, lambda: services.mrp_run(actor=request.user, demand=demand), _("MRP has run.")
    )


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
    status = request.GET.get("status", PurchaseOrderStatus.OPEN)
    q = normalize_text(request.GET.get("q", ""))[:60]
    offset = _offset(request)
    rows = list(
        selectors.purchase_order_list(actor=request.user, status=status, q=q)[
            offset : offset + PAGE + 1
        ]
    )
    query = request.GET.copy()
    query.pop("offset", None)
    return render(
        request,
        "planning/purchase_orders.html",
        {
            "orders": rows[:PAGE],
            "status": status,
            "q": q,
            "statuses": PurchaseOrderStatus.choices,
            "query": query.urlencode(),
            "next_offset": offset + PAGE if len(rows) > PAGE else None,
            "prev_offset": max(0, offset - PAGE) if offset else None,
            "can_receive": permissions.can(request.user, "planning.receive"),
            "can_cancel": permissions.can(request.user, "planning.decide"),
            "can_view_plan": permissions.can(request.user, "planning.view"),
            "figures": purchasing_selectors.purchasing_figures(actor=request.user),
        },
    )


def _back_to_pos(request):
    return redirect_back(
        request, "planning:purchase_order_list", prefix="/planning/purchase-orders/"
    )


@login_required
@domain_errors
@require_POST
def receive(request, pk: int):
    permissions.require(request.user, "planning.receive")
    try:
        po = services.purchase_order_receive(
            actor=request.user,
            po_id=pk,
            quantity=request.POST.get("quantity", ""),
            warehouse=request.POST.get("warehouse") or None,
        )
    except DomainError as exc:
        apply_error(request, exc)
    else:
        messages.success(request, _("Goods received against %(number)s.") % {"number": po.number})
    return _back_to_pos(request)


@login_required
@domain_errors
@require_POST
def cancel(request, pk: int):
    permissions.require(request.user, "planning.decide")
    try:
        po = services.purchase_order_cancel(
            actor=request.user, po_id=pk, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        apply_error(request, exc)
    else:
        messages.success(request, _("%(number)s cancelled.") % {"number": po.number})
    return _back_to_pos(request)


# --- forecasts ------------------------------------------------------------------------------------


@login_required
@domain_errors
def forecast_list(request):
    q = normalize_text(request.GET.get("q", ""))[:60]
    method = request.GET.get("method", "")
    if method not in ForecastMethod.values:
        method = ""
    offset = _offset(request)
    run = selectors.last_forecast_run(actor=request.user)
    rows = list(
        selectors.forecast_list(actor=request.user, q=q, method=method)[offset : offset + PAGE + 1]
    )
    query = request.GET.copy()
    query.pop("offset", None)
    return render(
        request,
        "planning/forecasts.html",
        {
            "run": run,
            "periods": selectors.periods(run) if run else [],
            "forecasts": rows[:PAGE],
            "q": q,
            "method": method,
            "methods": ForecastMethod.choices,
            "buckets": ForecastBucket.choices,
            "query": query.urlencode(),
            "next_offset": offset + PAGE if len(rows) > PAGE else None,
            "prev_offset": max(0, offset - PAGE) if offset else None,
            "can_run": permissions.can(request.user, "planning.run"),
        },
    )


@login_required
@domain_errors
@require_POST
def forecast_run(request):
    permissions.require(request.user, "planning.run")
    try:
        services.forecast_run(
            actor=request.user,
            bucket=request.POST.get("bucket", ForecastBucket.MONTH),
            horizon=request.POST.get("horizon") or None,
        )
    except DomainError as exc:
        apply_error(request, exc)
    else:
        messages.success(request, _("The demand forecast has run."))
    return redirect("planning:forecast_list")


# --- promise panel (order form) ---------------------------------------------------------------------

LINE_FIELD = re.compile(r"^lines-(\d+)-(material|quantity)$")


def promise_panel(request):
    """The promise date next to the requested due date, for the order form (htmx, GET with the
    form's fields). Empty for users who may not ask, and while no line is complete."""
    if not request.user.is_authenticated or not permissions.can(request.user, "planning.promise"):
        return HttpResponse("")
    rows: dict[int, dict] = {}
    for key in request.GET:
        m = LINE_FIELD.match(key)
        if m and int(m.group(1)) < 1000:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = request.GET.get(key, "")
    lines = [
        rows[i]
        for i in sorted(rows)
        if normalize_text(rows[i].get("material", ""))
        and normalize_text(rows[i].get("quantity", ""))
    ]
    try:
        requested = dt.date.fromisoformat(normalize_text(request.GET.get("due_date", "")))
    except ValueError:
        requested = None
    try:
        order_id = int(request.GET.get("order_id", "")) if request.GET.get("order_id") else None
    except ValueError:
        order_id = None
    context = {"promise": None, "error": None}
    if lines:
        try:
            context["promise"] = selectors.order_promise(
                actor=request.user, lines=lines, requested=requested, order_id=order_id
            )
        except DomainError as exc:
            context["error"] = exc
    return render(request, "planning/_promise.html", context)
