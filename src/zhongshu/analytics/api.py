import datetime as dt

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from zhongshu.core import xlsx
from zhongshu.core.pagination import BoundedLimitOffset
from zhongshu.core.schemas import errors

from . import effect, leaderboard, segments, selectors, services
from .schemas import (
    AnalyticsSettingsIn,
    AnalyticsSettingsOut,
    DailyActiveOut,
    DashboardOut,
    EffectOut,
    LeaderboardOut,
    SegmentOut,
    SegmentRunOut,
    SegmentSummaryOut,
)

router = Router(tags=["dashboard"])


@router.get("", response={200: DashboardOut, **errors(401, 403)})
def get_dashboard(request):
    """The six home-dashboard KPIs for the caller's scope — the same numbers as /dashboard/.
    Definitions: docs/dashboard.md."""
    return selectors.dashboard_for(actor=request.auth)


# --- /api/v1/analytics: segmentation, effect report, activity (docs/analytics.md) ---------------

analytics_router = Router(tags=["analytics"])


class SegmentFilters(Schema):
    tier: str = ""
    q: str = ""


@analytics_router.get("/segments", response={200: list[SegmentOut], **errors(401, 403)})
@paginate(BoundedLimitOffset)
def list_segments(request, filters: Query[SegmentFilters]):
    """Customers with their tier and the facts behind it (sales: their regions only)."""
    return segments.segment_list(actor=request.auth, tier=filters.tier, q=filters.q)


@analytics_router.get("/segments/summary", response={200: SegmentSummaryOut, **errors(401, 403)})
def segments_summary(request):
    return segments.segment_summary(actor=request.auth)


@analytics_router.get(
    "/segments/settings", response={200: AnalyticsSettingsOut, **errors(401, 403)}
)
def get_settings(request):
    """The tier thresholds and the weekly leaderboard message settings."""
    from zhongshu.accounts import permissions

    permissions.require(request.auth, "analytics.configure")
    return segments.get_settings()


@analytics_router.patch(
    "/segments/settings", response={200: AnalyticsSettingsOut, **errors(401, 403, 409, 422)}
)
def patch_settings(request, payload: AnalyticsSettingsIn):
    data = payload.dict(exclude_none=True)
    version = data.pop("version", None)
    return services.settings_update(actor=request.auth, version=version, **data)


@analytics_router.post("/segments/recompute", response={200: SegmentRunOut, **errors(401, 403)})
def recompute(request):
    """Recompute every tier now (the worker also does so every six hours)."""
    return services.segments_recompute(actor=request.auth)


@analytics_router.get("/segments/{code}", response={200: SegmentOut, **errors(401, 403, 404)})
def get_segment(request, code: str):
    from zhongshu.core.errors import NotFound

    seg = segments.segment_for_customer(actor=request.auth, code=code)
    if seg is None:
        raise NotFound()
    return seg


class EffectQuery(Schema):
    a_start: dt.date
    a_end: dt.date
    b_start: dt.date
    b_end: dt.date
    baseline_hours: float | None = None
    minutes_per_lookup: float = effect.DEFAULT_MINUTES_PER_LOOKUP


def _effect(request, q: EffectQuery) -> dict:
    return effect.report(
        actor=request.auth,
        a=effect.clean_period(q.a_start, q.a_end, "a_start"),
        b=effect.clean_period(q.b_start, q.b_end, "b_start"),
        baseline_hours=q.baseline_hours,
        minutes_per_lookup=q.minutes_per_lookup,
    )


@analytics_router.get("/effect", response={200: EffectOut, **errors(401, 403, 422)})
def get_effect(request, q: Query[EffectQuery]):
    """The effect report: two periods side by side and the change per metric."""
    return _effect(request, q)


@analytics_router.get("/effect.xlsx", response=errors(401, 403, 422))
def get_effect_xlsx(request, q: Query[EffectQuery]):
    data = _effect(request, q)
    f = xlsx.spool()
    effect.write_xlsx(f, data)
    return xlsx.download(f, xlsx.dated_filename("effect"))


class WeekQuery(Schema):
    week: dt.date | None = None


@analytics_router.get("/leaderboard", response={200: LeaderboardOut, **errors(401, 403)})
def get_leaderboard(request, q: Query[WeekQuery]):
    """Actions and days active per user in the week containing ``week`` (default: this week)."""
    return leaderboard.weekly(actor=request.auth, day=q.week)


class RangeQuery(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


@analytics_router.get("/daily-active", response={200: DailyActiveOut, **errors(401, 403, 422)})
def get_daily_active(request, q: Query[RangeQuery]):
    """Users with at least one action per day / enabled users (default: the last 28 days)."""
    return leaderboard.daily_active(actor=request.auth, start=q.start, end=q.end)
