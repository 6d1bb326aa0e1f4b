"""Weekly activity leaderboard and the daily-active ratio (SPEC §9), from the activity counters.

Both are grouped sums over ``DailyActivity`` (one row per user, day and kind): a week of a
200-person company is a few thousand rows. Weeks start on Monday (local dates).
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypedDict

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed

from .models import DailyActivity
from .people import people, system_user_ids

DAY = dt.timedelta(days=1)
MAX_DAYS = 366


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class ActiveDay(TypedDict):
    day: dt.date
    active_users: int
    ratio: float | None  # None when nobody is enabled


def _display_name(row: Mapping[str, Any]) -> str:
    return f"{row['user__last_name']}{row['user__first_name']}".strip() or row["user__username"]


def _week_rows(start: dt.date) -> list[dict]:
    end = start + 6 * DAY
    rows = (
        DailyActivity.objects.filter(day__gte=start, day__lte=end)
        .exclude(user_id__in=system_user_ids())  # people only
        .order_by()
        .values("user_id", "user__username", "user__first_name", "user__last_name")
        .annotate(actions=Sum("count"), days_active=Count("day", distinct=True))
    )
    out = [
        {
            "user_id": r["user_id"],
            "username": r["user__username"],
            "name": _display_name(r),
            "actions": int(r["actions"] or 0),
            "days_active": r["days_active"],
        }
        for r in rows
    ]
    out.sort(key=lambda r: (-r["actions"], -r["days_active"], r["username"]))
    for rank, r in enumerate(out, start=1):
        r["rank"] = rank
    return out


def weekly(*, actor: Actor, day: dt.date | None = None) -> dict:
    """The leaderboard of the week containing ``day`` (this week by default)."""
    permissions.require(actor, "analytics.leaderboard")
    start = week_start(day or timezone.localdate())
    return {"week_start": start, "week_end": start + 6 * DAY, "users": _week_rows(start)}


def _enabled_users() -> int:
    return people().count()


def daily_active(*, actor: Actor, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """Per day: users with at least one counted action / users enabled now (%)."""
    permissions.require(actor, "analytics.leaderboard")
    end = end or timezone.localdate()
    start = start or end - 27 * DAY
    if start > end or (end - start).days >= MAX_DAYS:
        raise ValidationFailed(
            {"start": _("The period must start before it ends and span at most a year.")}
        )
    enabled = _enabled_users()
    per_day = dict(
        DailyActivity.objects.filter(day__gte=start, day__lte=end, user__is_active=True)
        .exclude(user_id__in=system_user_ids())
        .order_by()
        .values("day")
        .annotate(n=Count("user", distinct=True))
        .values_list("day", "n")
    )
    days: list[ActiveDay] = []
    day = start
    while day <= end:
        n = per_day.get(day, 0)
        ratio = round(n * 100 / enabled, 1) if enabled else None
        days.append({"day": day, "active_users": n, "ratio": ratio})
        day += DAY
    ratios = [d["ratio"] for d in days if d["ratio"] is not None]
    workdays = [d["ratio"] for d in days if d["ratio"] is not None and d["day"].weekday() < 5]
    return {
        "start": start,
        "end": end,
        "enabled_users": enabled,
        "days": days,
        "average_ratio": round(sum(ratios) / len(ratios), 1) if ratios else None,
        "workday_average_ratio": round(sum(workdays) / len(workdays), 1) if workdays else None,
    }


# --- the weekly message ---------------------------------------------------------------------------


def weekly_message(*, today: dt.date | None = None) -> int:
    """Queue last week's top users to the configured roles (once per week: the notification's
    dedupe key is the week). Returns the number of messages queued (0 when not configured)."""
    from zhongshu.notify.services import notify

    from .segments import get_settings

    s = get_settings()
    if not s.leaderboard_roles:
        return 0
    today = today or timezone.localdate()
    start = week_start(today) - 7 * DAY
    rows = _week_rows(start)[: max(s.leaderboard_top, 1)]
    subject = _("Activity leaderboard, week of %(day)s") % {"day": start.isoformat()}
    if rows:
        lines = [
            _("%(rank)s. %(name)s — %(actions)s actions, %(days)s days active")
            % {
                "rank": r["rank"],
                "name": r["name"],
                "actions": r["actions"],
                "days": r["days_active"],
            }
            for r in rows
        ]
    else:
        lines = [_("Nobody recorded any action last week.")]
    messages = notify(
        roles=s.leaderboard_roles,
        channels=s.leaderboard_channels or ["inapp"],
        subject=subject,
        body="\n".join(lines),
        link=f"/analytics/leaderboard/?week={start.isoformat()}",
        dedupe_key=f"analytics:leaderboard:{start.isoformat()}",
        source="analytics.leaderboard",
    )
    return len(messages)


def weekly_message_job() -> int:
    return weekly_message()
