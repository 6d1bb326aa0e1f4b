import datetime as dt
from decimal import Decimal

from ninja import Schema

from zhongshu.core.schemas import InputSchema


class PendingUrls(Schema):
    awaiting_review: str
    awaiting_scheduling: str
    awaiting_my_approval: str
    due_today: str


class PendingTodayOut(Schema):
    awaiting_review: int
    awaiting_scheduling: int
    awaiting_my_approval: int
    due_today: int
    urls: PendingUrls


class OverdueBucketOut(Schema):
    key: str
    bucket: str
    min_days: int
    max_days: int | None
    count: int
    url: str


class OverdueStageOut(Schema):
    status: str
    label: str
    count: int
    url: str


class OverdueOut(Schema):
    total: int
    by_days: list[OverdueBucketOut]
    by_stage: list[OverdueStageOut]
    url: str


class LineLoadLineOut(Schema):
    work_center_id: int
    code: str
    name: str
    planned_hours: float
    capacity_hours: float
    load_rate: float | None
    url: str


class LineLoadOut(Schema):
    start: dt.date
    end: dt.date
    available: bool
    lines: list[LineLoadLineOut]
    url: str
    paused_tasks: int = 0
    paused_lines: int = 0


class OnTimeWindowOut(Schema):
    start: dt.date
    end: dt.date
    shipped: int
    on_time: int
    late: int
    rate: float | None


class OnTimeOut(OnTimeWindowOut):
    window_days: int
    trend: list[OnTimeWindowOut]
    url: str


class ThisMonthOut(Schema):
    start: dt.date
    until: dt.datetime
    count: int
    amount: Decimal


class LastMonthOut(ThisMonthOut):
    full_count: int
    full_amount: Decimal


class MonthOrdersOut(Schema):
    this_month: ThisMonthOut
    last_month: LastMonthOut
    count_change_pct: float | None
    amount_change_pct: float | None
    url: str


class ShortMaterialOut(Schema):
    material: str
    name: str
    unit: str
    on_hand: Decimal
    reserved: Decimal
    required: Decimal
    shortfall: Decimal
    url: str


class StockAlertsOut(Schema):
    below_safety_levels: int
    below_safety_materials: int
    below_safety_url: str
    short_materials: int
    short: list[ShortMaterialOut]
    url: str


class DashboardOut(Schema):
    """The six KPIs. ``line_load`` is null for roles that do not see production and
    ``stock_alerts`` for roles that do not see stock."""

    today: dt.date
    generated_at: dt.datetime
    pending_today: PendingTodayOut
    overdue: OverdueOut
    line_load: LineLoadOut | None
    on_time_rate: OnTimeOut
    month_orders: MonthOrdersOut
    stock_alerts: StockAlertsOut | None


# --- segmentation, effect report, leaderboard (/api/v1/analytics) ------------------------------


class SegmentOut(Schema):
    customer: str
    customer_name: str
    region: str
    tier: str
    tier_label: str
    previous_tier: str
    tier_changed_at: dt.datetime | None
    orders: int
    order_days: int
    amount: Decimal
    avg_amount: Decimal | None
    interval_mean: float | None
    interval_spread: float | None
    first_order: dt.date | None
    last_order: dt.date | None
    recency_days: int | None
    trend: float | None
    expected_next: dt.date | None
    computed_at: dt.datetime

    @staticmethod
    def resolve_customer(obj) -> str:
        return obj.customer.code

    @staticmethod
    def resolve_customer_name(obj) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_region(obj) -> str:
        return obj.customer.region.name

    @staticmethod
    def resolve_tier(obj) -> str:
        return obj.customer.tier  # the customer's one tier field

    @staticmethod
    def resolve_tier_label(obj) -> str:
        return obj.customer.get_tier_display()


class TierCountOut(Schema):
    tier: str
    label: str
    customers: int


class SegmentSummaryOut(Schema):
    tiers: list[TierCountOut]
    computed_at: dt.datetime | None
    seconds: float | None


class SegmentRunOut(Schema):
    started_at: dt.datetime
    seconds: float
    customers: int
    changed: int
    counts: dict[str, int]


class AnalyticsSettingsOut(Schema):
    window_days: int
    new_days: int
    rhythm_intervals: int
    recent_weight: float
    min_rhythm_days: int
    at_risk_ratio: float
    at_risk_spreads: float
    key_min_orders: int
    key_min_avg_amount: Decimal
    key_max_cv: float
    growth_min_orders: int
    growth_min_trend: float
    leaderboard_roles: list[str]
    leaderboard_channels: list[str]
    leaderboard_top: int
    version: int
    updated_at: dt.datetime


class AnalyticsSettingsIn(InputSchema):
    version: int | None = None
    window_days: int | None = None
    new_days: int | None = None
    rhythm_intervals: int | None = None
    recent_weight: float | None = None
    min_rhythm_days: int | None = None
    at_risk_ratio: float | None = None
    at_risk_spreads: float | None = None
    key_min_orders: int | None = None
    key_min_avg_amount: Decimal | None = None
    key_max_cv: float | None = None
    growth_min_orders: int | None = None
    growth_min_trend: float | None = None
    leaderboard_roles: list[str] | None = None
    leaderboard_channels: list[str] | None = None
    leaderboard_top: int | None = None


class EffectMetricOut(Schema):
    key: str
    label: str
    unit: str
    a: float | None
    b: float | None
    change: float | None
    change_pct: float | None
    better: str
    improved: bool | None


class EffectOut(Schema):
    a: dict
    b: dict
    metrics: list[EffectMetricOut]
    baseline_hours: float | None
    minutes_per_lookup: float


class LeaderboardUserOut(Schema):
    rank: int
    user_id: int
    username: str
    name: str
    actions: int
    days_active: int


class LeaderboardOut(Schema):
    week_start: dt.date
    week_end: dt.date
    users: list[LeaderboardUserOut]


class DailyActiveDayOut(Schema):
    day: dt.date
    active_users: int
    ratio: float | None


class DailyActiveOut(Schema):
    start: dt.date
    end: dt.date
    enabled_users: int
    days: list[DailyActiveDayOut]
    average_ratio: float | None
    workday_average_ratio: float | None
