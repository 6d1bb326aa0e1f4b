"""The effect report (SPEC §1, §9): the customer's targets measured from its own data, for any
two periods side by side — e.g. the quarter before go-live and the quarter after.

Every order figure starts from ``permissions.scope_orders`` (the report is for admin and manager,
who see all orders, but the scope is applied all the same). Historical orders imported from Excel
count like any other order: their received time is the order's ``created_at``. Definitions:
docs/analytics.md.
"""

import datetime as dt
import statistics
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.orders.models import Order

from .models import DailyActivity
from .people import people, staff_count, system_user_ids

DAY = dt.timedelta(days=1)
MAX_PERIOD_DAYS = 732
# activity kinds counted as a status look-up made in the system instead of by phone/WeChat
LOOKUP_KINDS_PREFIXES = ("lookup.",)
LOOKUP_KINDS = ("order.viewed",)
DEFAULT_MINUTES_PER_LOOKUP = 3.0

HOURS = pgettext_lazy("unit", "h")
MINUTES = pgettext_lazy("unit", "min")

# (key, label, unit, which direction is better)
METRICS = [
    ("delay_rate", _("Delay rate"), "%", "lower"),
    ("orders_received", _("Orders received"), "", "higher"),
    ("order_desk_staff", _("Order-desk staff"), "", ""),
    ("orders_per_staff", _("Orders per order-desk staff"), "", "higher"),
    ("approval_hours_avg", _("Approval time, average"), HOURS, "lower"),
    ("approval_hours_median", _("Approval time, median"), HOURS, "lower"),
    ("approvals", _("Approval requests decided"), "", ""),
    ("approval_minutes_total", _("Approval time, total"), MINUTES, ""),
    ("release_hours_avg", _("Received → released to production, average"), HOURS, "lower"),
    ("release_hours_median", _("Received → released to production, median"), HOURS, "lower"),
    ("ship_hours_avg", _("Received → shipped, average"), HOURS, "lower"),
    ("ship_hours_median", _("Received → shipped, median"), HOURS, "lower"),
    ("lookups_per_day", _("Status look-ups in the system per day"), "", "higher"),
    ("manual_check_hours_per_day", _("Manual status checking per day"), HOURS, "lower"),
    ("complaint_rate", _("Complaint rate"), "%", "lower"),
    ("daily_active_ratio", _("Daily active users"), "%", "higher"),
]


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def since(self) -> dt.datetime:
        return _midnight(self.start)

    def until(self) -> dt.datetime:
        return _midnight(self.end + DAY)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def clean_period(start, end, field: str) -> Period:
    if start is None or end is None:
        raise ValidationFailed({field: _("Give the first and the last day of the period.")})
    if start > end or (end - start).days >= MAX_PERIOD_DAYS:
        raise ValidationFailed(
            {field: _("The period must start before it ends and span at most two years.")}
        )
    return Period(start, end)


def _hours(pairs) -> list[float]:
    return [(b - a).total_seconds() / 3600 for a, b in pairs if a and b and b >= a]


def _avg(values: list[float]):
    return round(sum(values) / len(values), 2) if values else None


def _median(values: list[float]):
    return round(statistics.median(values), 2) if values else None


def _pct(part, whole):
    return round(part * 100 / whole, 2) if whole else None


def _delay(orders, period: Period, today: dt.date) -> dict:
    """Orders due in the period (up to yesterday: an order due today is not late yet), not
    cancelled: late = shipped on a later local day than the due date, or not shipped at all."""
    last_due = min(period.end, today - DAY)
    row = (
        orders.exclude(status="cancelled")
        .filter(due_date__gte=period.start, due_date__lte=last_due)
        .annotate(ship_day=TruncDate("shipped_at"))
        .aggregate(
            due=Count("pk"),
            late=Count("pk", filter=Q(shipped_at__isnull=True) | Q(ship_day__gt=F("due_date"))),
        )
    )
    return {"due": row["due"], "late": row["late"], "delay_rate": _pct(row["late"], row["due"])}


def _received(orders, period: Period, staff: int) -> dict:
    received = orders.exclude(status="cancelled").filter(
        created_at__gte=period.since(), created_at__lt=period.until()
    )
    row = received.aggregate(n=Count("pk"))
    n_staff = staff
    times = list(received.values_list("created_at", "confirmed_at", "shipped_at"))
    release = _hours((c, r) for c, r, _s in times)
    ship = _hours((c, s) for c, _r, s in times)
    return {
        "orders_received": row["n"],
        "order_desk_staff": n_staff,
        "orders_per_staff": round(row["n"] / n_staff, 2) if n_staff else None,
        "release_hours_avg": _avg(release),
        "release_hours_median": _median(release),
        "ship_hours_avg": _avg(ship),
        "ship_hours_median": _median(ship),
    }


def _approvals(actor: Actor, period: Period) -> dict:
    """Requests submitted in the period and settled (approved or rejected; a withdrawn request
    was never decided): the minutes from request to decision that the approval service recorded,
    summed and averaged."""
    if not apps.is_installed("zhongshu.approvals"):
        return {"approval_hours_avg": None, "approval_hours_median": None, "approvals": 0,
                "approval_minutes_total": 0, "approval_minutes_avg": None}  # fmt: skip
    from zhongshu.approvals.models import Request

    qs = permissions.scope_orders(
        actor,
        Request.objects.filter(
            submitted_at__gte=period.since(),
            submitted_at__lt=period.until(),
            decision_minutes__isnull=False,
        ),
        prefix="order__",
    )
    minutes = list(qs.values_list("decision_minutes", flat=True))
    hours = [m / 60 for m in minutes]
    return {
        "approvals": len(minutes),
        "approval_minutes_total": sum(minutes),
        "approval_minutes_avg": _avg(minutes),
        "approval_hours_avg": _avg(hours),
        "approval_hours_median": _median(hours),
    }


def _complaints(actor: Actor, orders, period: Period) -> dict:
    shipped = orders.filter(shipped_at__gte=period.since(), shipped_at__lt=period.until()).count()
    if not apps.is_installed("zhongshu.aftersales"):
        return {"shipped": shipped, "complaints": None, "complaint_rate": None}
    from zhongshu.aftersales.models import Case

    cases = permissions.scope_orders(
        actor,
        Case.objects.filter(created_at__gte=period.since(), created_at__lt=period.until()),
        prefix="order__",
    ).count()
    return {"shipped": shipped, "complaints": cases, "complaint_rate": _pct(cases, shipped)}


def _activity(period: Period, baseline_hours: float | None, minutes_per_lookup: float) -> dict:
    rows = DailyActivity.objects.filter(day__gte=period.start, day__lte=period.end).order_by()
    lookup_q = Q(kind__in=LOOKUP_KINDS)
    for prefix in LOOKUP_KINDS_PREFIXES:
        lookup_q |= Q(kind__startswith=prefix)
    lookups = sum(rows.filter(lookup_q).values_list("count", flat=True))
    per_day = dict(
        rows.filter(user__is_active=True)
        .exclude(user_id__in=system_user_ids())  # people only
        .values("day")
        .annotate(n=Count("user", distinct=True))
        .values_list("day", "n")
    )
    enabled = people().count()
    workdays = [
        period.start + k * DAY for k in range(period.days) if (period.start + k * DAY).weekday() < 5
    ]
    ratios = [per_day.get(d, 0) * 100 / enabled for d in workdays] if enabled else []
    lookups_per_day = round(lookups / period.days, 2)
    manual = None
    if baseline_hours is not None:
        manual = round(max(0.0, baseline_hours - lookups_per_day * minutes_per_lookup / 60), 2)
    return {
        "lookups": lookups,
        "lookups_per_day": lookups_per_day,
        "manual_check_hours_per_day": manual,
        "daily_active_ratio": round(sum(ratios) / len(ratios), 1) if ratios else None,
    }


def period_figures(
    *,
    actor: Actor,
    period: Period,
    baseline_hours: float | None = None,
    minutes_per_lookup: float = DEFAULT_MINUTES_PER_LOOKUP,
    today: dt.date | None = None,
) -> dict:
    permissions.require(actor, "analytics.effect")
    today = today or timezone.localdate()
    orders = permissions.scope_orders(actor, Order.objects.all()).order_by()
    return {
        "start": period.start,
        "end": period.end,
        **_delay(orders, period, today),
        # the order-desk staff: enabled people holding the sales role, whatever the period
        **_received(orders, period, staff_count()),
        **_approvals(actor, period),
        **_complaints(actor, orders, period),
        **_activity(period, baseline_hours, minutes_per_lookup),
    }


def _change(a, b):
    if a is None or b is None:
        return None, None
    diff = round(b - a, 2)
    return diff, (round(diff * 100 / a, 1) if a else None)


def report(
    *,
    actor: Actor,
    a: Period,
    b: Period,
    baseline_hours: float | None = None,
    minutes_per_lookup: float = DEFAULT_MINUTES_PER_LOOKUP,
    today: dt.date | None = None,
) -> dict:
    """Both periods and, per metric, the change from A to B. The manual-checking baseline is the
    hours a day spent checking order status by hand before the system (entered by the user); a
    period's figure is the baseline less the look-ups made in the system that period × the
    minutes each one saves."""
    permissions.require(actor, "analytics.effect")
    if baseline_hours is not None and baseline_hours < 0:
        raise ValidationFailed({"baseline_hours": _("Enter zero or more hours.")})
    if minutes_per_lookup < 0:
        raise ValidationFailed({"minutes_per_lookup": _("Enter zero or more minutes.")})
    fa = period_figures(
        actor=actor, period=a, today=today,
        baseline_hours=baseline_hours, minutes_per_lookup=minutes_per_lookup,
    )  # fmt: skip
    fb = period_figures(
        actor=actor, period=b, today=today,
        baseline_hours=baseline_hours, minutes_per_lookup=minutes_per_lookup,
    )  # fmt: skip
    rows = []
    for key, label, unit, better in METRICS:
        diff, pct = _change(fa[key], fb[key])
        improved = None
        if diff and better:
            improved = diff < 0 if better == "lower" else diff > 0
        rows.append(
            {
                "key": key,
                "label": str(label),
                "unit": str(unit),
                "a": fa[key],
                "b": fb[key],
                "change": diff,
                "change_pct": pct,
                "better": better,
                "improved": improved,
            }
        )
    return {
        "a": fa,
        "b": fb,
        "metrics": rows,
        "baseline_hours": baseline_hours,
        "minutes_per_lookup": minutes_per_lookup,
    }


# --- the spreadsheet ------------------------------------------------------------------------------


def write_xlsx(target, data: dict) -> None:
    from zhongshu.core import xlsx

    book = xlsx.new_workbook(target)
    formats = xlsx.Formats(book)
    sheet = book.add_worksheet(xlsx.sheet_name(gettext("Effect report")))
    a, b = data["a"], data["b"]
    head = [
        gettext("Metric"),
        gettext("Unit"),
        f"{gettext('Period A')} {a['start']:%Y-%m-%d} – {a['end']:%Y-%m-%d}",
        f"{gettext('Period B')} {b['start']:%Y-%m-%d} – {b['end']:%Y-%m-%d}",
        pgettext("difference", "Change"),
        gettext("Change %"),
    ]
    widths = [40, 8, 26, 26, 12, 12]
    for c, (h, w) in enumerate(zip(head, widths, strict=True)):
        sheet.set_column(c, c, w)
        sheet.write_string(0, c, h, formats.header)
    for r, m in enumerate(data["metrics"], start=1):
        xlsx.write_value(sheet, r, 0, m["label"], xlsx.TEXT, formats)
        xlsx.write_value(sheet, r, 1, m["unit"], xlsx.TEXT, formats)
        for c, key in ((2, "a"), (3, "b"), (4, "change"), (5, "change_pct")):
            xlsx.write_value(sheet, r, c, m[key], xlsx.PERCENT, formats)
    row = len(data["metrics"]) + 2
    if data["baseline_hours"] is not None:
        sheet.write_string(
            row, 0, gettext("Manual checking baseline (hours per day)"), formats.text
        )
        sheet.write_number(row, 2, float(data["baseline_hours"]))
        sheet.write_string(row + 1, 0, gettext("Minutes saved per look-up"), formats.text)
        sheet.write_number(row + 1, 2, float(data["minutes_per_lookup"]))
    sheet.freeze_panes(1, 1)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    book.close()
