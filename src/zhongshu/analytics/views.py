"""The home dashboard page and its KPI grid fragment (polled by htmx every 60 s)."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from zhongshu.accounts import permissions
from zhongshu.core.web_errors import domain_errors

from . import charts, selectors

REFRESH_SECONDS = 60


def _charts(request, data: dict) -> dict:
    """The SVG charts; with the per-scope cache on, rendered once per scope, language and
    computation — except the pending chart, which holds a personal figure."""
    seconds = selectors.cache_seconds()
    if seconds <= 0:
        return charts.render_all(data)
    key = (
        f"{selectors.scope_cache_key(request.user, data['today'])}:charts:{get_language()}:"
        f"{data['generated_at'].isoformat()}"
    )
    rendered = cache.get(key)
    if rendered is None:
        rendered = charts.render_all(data)
        cache.set(key, rendered, seconds)
    rendered["pending_today"] = charts.pending_chart(data["pending_today"])
    return rendered


def _context(request) -> dict:
    data = selectors.dashboard_for(actor=request.user)
    return {"kpi": data, "charts": _charts(request, data), "refresh_seconds": REFRESH_SECONDS}


def _queues(request) -> dict:
    """Each order queue's open orders (one grouped query), linked to the user's saved view of
    that queue when there is one, else to the list filtered by it."""
    from zhongshu.listviews import selectors as views
    from zhongshu.rules.selectors import queue_counts

    if not permissions.can(request.user, "orders.view"):
        return {"queues": []}
    rows = queue_counts(actor=request.user)
    if not rows:  # no queue in use: no saved views to look up
        return {"queues": []}
    by_queue = {
        v.filters.get("queue", [""])[0]: v.pk
        for v in views.views_for(actor=request.user)
        if list(v.filters) == ["queue"] and len(v.filters["queue"]) == 1
    }
    for row in rows:
        row["view"] = by_queue.get(row["queue"])
    return {"queues": rows, "queues_without_view": [r["queue"] for r in rows if not r["view"]]}


@login_required
@domain_errors
@require_GET
def dashboard(request):
    response = render(request, "analytics/dashboard.html", _context(request) | _queues(request))
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@domain_errors
@require_GET
def grid(request):
    response = render(request, "analytics/_grid.html", _context(request))
    patch_cache_control(response, private=True, no_cache=True)
    return response
