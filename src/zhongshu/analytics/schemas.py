import datetime as dt
from decimal import Decimal

from ninja import Schema


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
