"""Pages of the customer segmentation, the effect report and the activity leaderboard
(/analytics/). Thin: every figure comes from segments, effect and leaderboard, which check the
permission and apply the user's scope."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhongshu.accounts import permissions
from zhongshu.core import xlsx
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.web_errors import apply_error, domain_errors

from . import effect, insight_charts, leaderboard, segments, services
from .services import LIMITS

PAGE_SIZE = 50


def _private(response):
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@domain_errors
@require_GET
def segment_list(request):
    tier = request.GET.get("tier", "")
    q = request.GET.get("q", "")
    qs = segments.segment_list(actor=request.user, tier=tier, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "tier": tier,
        "q": q,
        "summary": segments.segment_summary(actor=request.user),
        "can_configure": permissions.can(request.user, "analytics.configure"),
    }
    return _private(render(request, "analytics/segments.html", context))


SETTINGS_FIELDS = list(LIMITS)


@login_required
@domain_errors
def segment_settings(request):
    permissions.require(request.user, "analytics.configure")
    current = segments.get_settings()
    values = {f: getattr(current, f) for f in SETTINGS_FIELDS}
    values["leaderboard_roles"] = ", ".join(current.leaderboard_roles)
    values["leaderboard_channels"] = ", ".join(current.leaderboard_channels)
    if request.method == "POST":
        # a threshold left blank keeps its value
        data = {f: v for f in SETTINGS_FIELDS if (v := request.POST.get(f, "").strip())}
        for f in ("leaderboard_roles", "leaderboard_channels"):
            if f in request.POST:
                data[f] = [x.strip() for x in request.POST[f].split(",") if x.strip()]
        try:
            services.settings_update(
                actor=request.user, version=int(request.POST.get("version") or 0) or None, **data
            )
        except ValidationFailed as exc:
            apply_error(request, exc)
            values.update({k: request.POST.get(k, "") for k in values})
        else:
            messages.success(
                request, _("Saved. The tiers use the new thresholds from the next run.")
            )
            return redirect("insight:segment_settings")
    fields = [
        {"name": f, "label": current._meta.get_field(f).verbose_name, "value": values[f]}
        for f in [*SETTINGS_FIELDS, "leaderboard_roles", "leaderboard_channels"]
    ]
    context = {"fields": fields, "version": current.version}
    return _private(render(request, "analytics/segment_settings.html", context))


@login_required
@domain_errors
@require_POST
def segment_recompute(request):
    run = services.segments_recompute(actor=request.user)
    messages.success(
        request,
        _("%(n)s customers recomputed in %(s).1f s, %(c)s changed tier.")
        % {"n": run.customers, "s": run.seconds, "c": run.changed},
    )
    return redirect("insight:segments")


def _date(value: str | None):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _number(value: str | None, kind=float):
    try:
        return kind(value) if value not in (None, "") else None
    except ValueError:
        return None


def _quarter_before(day: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    prev_end = first - dt.timedelta(days=1)
    prev_start = dt.date(prev_end.year, 3 * ((prev_end.month - 1) // 3) + 1, 1)
    return prev_start, prev_end


def _effect_params(request) -> dict:
    today = timezone.localdate()
    b_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    a_start, a_end = _quarter_before(b_start)
    g = request.GET
    return {
        "a_start": _date(g.get("a_start")) or a_start,
        "a_end": _date(g.get("a_end")) or a_end,
        "b_start": _date(g.get("b_start")) or b_start,
        "b_end": _date(g.get("b_end")) or today,
        "baseline_hours": _number(g.get("baseline_hours")),
        "minutes_per_lookup": _number(g.get("minutes_per_lookup"))
        or effect.DEFAULT_MINUTES_PER_LOOKUP,
    }


def _effect_data(request, p: dict) -> dict:
    return effect.report(
        actor=request.user,
        a=effect.clean_period(p["a_start"], p["a_end"], "a_start"),
        b=effect.clean_period(p["b_start"], p["b_end"], "b_start"),
        baseline_hours=p["baseline_hours"],
        minutes_per_lookup=p["minutes_per_lookup"],
    )


@login_required
@domain_errors
@require_GET
def effect_report(request):
    permissions.require(request.user, "analytics.effect")
    p = _effect_params(request)
    data, charts_svg = None, []
    try:
        data = _effect_data(request, p)
        charts_svg = insight_charts.effect_charts(data)
    except ValidationFailed as exc:
        apply_error(request, exc)
    context = {
        "p": p,
        "data": data,
        "charts": charts_svg,
        "printable": request.GET.get("print") == "1",
        "query": request.GET.urlencode(),
    }
    return _private(render(request, "analytics/effect.html", context))


@login_required
@domain_errors
@require_GET
def effect_xlsx(request):
    data = _effect_data(request, _effect_params(request))
    f = xlsx.spool()
    effect.write_xlsx(f, data)
    return xlsx.download(f, xlsx.dated_filename(_("Effect report")))


@login_required
@domain_errors
@require_GET
def leaderboard_page(request):
    day = _date(request.GET.get("week")) or timezone.localdate()
    board = leaderboard.weekly(actor=request.user, day=day)
    active = leaderboard.daily_active(actor=request.user)
    context = {
        "board": board,
        "active": active,
        "chart": insight_charts.daily_active_chart(active),
        "prev_week": board["week_start"] - dt.timedelta(days=7),
        "next_week": board["week_start"] + dt.timedelta(days=7),
    }
    return _private(render(request, "analytics/leaderboard.html", context))
