"""Demo history from the factory simulation (``simulation.history``): six months of the order
desk as it was and three months after go-live, ending today. Seeded before the orders (which
replay ``ctx["order_plan"]`` through the services and date it as planned), with the people's
daily activity rising from about 30 % before go-live to about 90 % after."""

import datetime as dt
import random

from django.utils import timezone

from zhongshu.core.demo import DemoContext

from .models import DailyActivity
from .simulation.history import AFTER_DAYS, BEFORE_DAYS, demo_history, late_rate

SEED_ORDER = 45
ORDERS_PER_MONTH = 36
ACTIVE_BEFORE = 0.30  # share of the people using the system on a workday before go-live
ACTIVE_AFTER = 0.90
RAMP_DAYS = 28  # from the one to the other over the first four weeks


def seed(ctx: DemoContext) -> None:
    # cut at the moment of seeding: what the model does later has not happened yet
    plan = demo_history(ctx.today, orders_per_month=ORDERS_PER_MONTH, now=timezone.now())
    ctx["order_plan"] = plan
    ctx["go_live"] = ctx.today - dt.timedelta(days=AFTER_DAYS)
    before, after = late_rate(plan, "before", ctx.today), late_rate(plan, "after", ctx.today)
    ctx.counts["late_before"], ctx.counts["late_after"] = before, after
    ctx.say(
        f"  factory simulation: {len(plan)} orders, late {before:.0%} before go-live → "
        f"{after:.0%} after"
    )
    _activity(ctx)


def active_share(day: dt.date, go_live: dt.date) -> float:
    if day < go_live:
        return ACTIVE_BEFORE
    ramp = min(1.0, (day - go_live).days / RAMP_DAYS)
    return ACTIVE_BEFORE + (ACTIVE_AFTER - ACTIVE_BEFORE) * ramp


def _activity(ctx: DemoContext) -> None:
    rng = random.Random(ctx.today.toordinal())
    users = [u for u in ctx.users_by_name.values() if u.is_active]
    go_live = ctx["go_live"]
    rows = []
    start = go_live - dt.timedelta(days=BEFORE_DAYS)
    for k in range((ctx.today - start).days):  # up to yesterday: nothing dated in the future
        day = start + dt.timedelta(days=k)
        if day.weekday() >= 5:
            continue
        share = active_share(day, go_live)
        for user in users:
            if rng.random() < share:
                rows.append(DailyActivity(user=user, day=day, kind="order.viewed",
                                          count=rng.randint(2, 18)))  # fmt: skip
    DailyActivity.objects.bulk_create(rows)
    ctx.counts["activity_days"] = len(rows)
