"""The planner's pages: line load (planned vs capacity hours per line and day), the schedule of
open tasks with pinning, the what-if simulation and rescheduling.

Reads go through ``production.selectors``, writes through ``production.services``.
"""

import base64
import datetime as dt
from collections import defaultdict

import pygal
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.core.errors import DomainError, PermissionDenied, ValidationFailed
from zhongshu.core.text import normalize_text
from zhongshu.core.web_errors import apply_error, domain_errors

from . import selectors, services, whatif
from .models import OPEN_TASK
from .views import _decorate, _int

LOAD_DAYS = 14
MAX_LOAD_DAYS = 92
SCHEDULE_LIMIT = 500


# --- line load ------------------------------------------------------------------------------------------


def _load_chart(rows, lines) -> str:
    """A bar chart of planned vs capacity hours per line and day, as an SVG data URI (drawn on
    the server: no script, no CDN; the page's CSP allows data: images)."""
    days = sorted({r["day"] for r in rows})
    chart = pygal.Bar(
        js=[],
        height=320,
        width=900,
        x_label_rotation=45,
        show_legend=True,
        legend_at_bottom=True,
        print_values=False,
        style=pygal.style.LightStyle,
        title=_("Planned vs capacity hours"),
    )
    chart.x_labels = [d.strftime("%m-%d") for d in days]
    for wc in lines:
        by_day = {r["day"]: r for r in rows if r["work_center_id"] == wc["work_center_id"]}
        chart.add(
            f"{wc['code']} " + _("planned"),
            [float(by_day[d]["planned_hours"]) if d in by_day else 0 for d in days],
        )
        chart.add(
            f"{wc['code']} " + _("capacity"),
            [float(by_day[d]["capacity_hours"]) if d in by_day else 0 for d in days],
        )
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@login_required
@domain_errors
def line_load(request):
    permissions.require(request.user, "production.view")
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(normalize_text(request.GET.get("start", "")))
    except ValueError:
        start = today
    days = min(max(_int(request.GET.get("days"), LOAD_DAYS), 1), MAX_LOAD_DAYS)
    end = start + dt.timedelta(days=days - 1)
    rows = selectors.line_load(actor=request.user, start=start, end=end)
    summary = selectors.line_load_summary(actor=request.user, start=start, end=end)
    for r in [*rows, *summary]:
        r["percent"] = None if r["load_rate"] is None else round(r["load_rate"] * 100)
        r["over"] = r["load_rate"] is not None and r["load_rate"] > 1
    table = defaultdict(list)
    for r in rows:
        table[r["work_center_id"]].append(r)
    dates = sorted({r["day"] for r in rows})
    return render(
        request,
        "production/load.html",
        {
            "start": start,
            "end": end,
            "days": days,
            "dates": dates,
            "lines": [{**s, "cells": table[s["work_center_id"]]} for s in summary],
            "chart": _load_chart(rows, summary) if rows else None,
        },
    )


# --- schedule -------------------------------------------------------------------------------------------


@login_required
@domain_errors
def schedule(request):
    permissions.require(request.user, "production.schedule")
    lines = list(selectors.work_center_list(actor=request.user))
    tasks = list(
        selectors.task_list(actor=request.user, status=list(OPEN_TASK)).order_by(
            "work_center__code", "planned_start", "id"
        )[:SCHEDULE_LIMIT]
    )
    _decorate(request, tasks, buttons=False)
    by_line = defaultdict(list)
    for t in tasks:
        by_line[t.work_center_id].append(t)
    return render(
        request,
        "production/schedule.html",
        {
            "lines": lines,
            "groups": [(wc, by_line.get(wc.pk, [])) for wc in lines],
            "truncated": len(tasks) == SCHEDULE_LIMIT,
            "at_risk": list(selectors.at_risk_orders(actor=request.user)[:200]),
            "today": timezone.localdate(),
            "can_what_if": permissions.can(request.user, "production.what_if"),
            "form": {"priority": "normal"},
        },
    )


@login_required
@require_POST
@domain_errors
def task_pin(request, task_id: int):
    try:
        services.task_pin(
            actor=request.user,
            task_id=task_id,
            date=normalize_text(request.POST.get("date", ""))[:10] or None,
            work_center_id=normalize_text(request.POST.get("work_center_id", ""))[:12] or None,
            version=_int(request.POST.get("version")),
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        apply_error(request, exc)
    else:
        messages.success(request, _("Pinned. The schedule is being recalculated."))
    return redirect("production:schedule")


@login_required
@require_POST
@domain_errors
def what_if(request):
    """The what-if panel of the schedule page: a hypothetical order's promise date and the open
    orders it would make late (``whatif.what_if``; nothing is saved)."""
    permissions.require(request.user, "production.what_if")
    form = {
        k: normalize_text(request.POST.get(k, ""))[:40]
        for k in ("material", "quantity", "due_date", "priority")
    }
    result, errors = None, []
    try:
        result = whatif.what_if(actor=request.user, data=form)
    except ValidationFailed as exc:
        errors = exc.errors
    return render(
        request, "production/_whatif.html", {"result": result, "errors": errors, "form": form}
    )


@login_required
@require_POST
@domain_errors
def reschedule(request):
    result = services.reschedule(actor=request.user)
    messages.success(
        request,
        _("Rescheduled %(n)d tasks; %(risk)d orders at risk.")
        % {"n": result.get("scheduled", 0), "risk": result.get("at_risk", 0)},
    )
    return redirect("production:schedule")


# --- setup ----------------------------------------------------------------------------------------------
