"""The effect report against figures computed by hand on a small order book: three orders in
the "before" quarter, four in the "after" period, approvals, a complaint and status look-ups."""

import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from tests.analytics.histories import local
from tests.factories import CustomerFactory, make_user
from zhongshu.analytics import effect
from zhongshu.analytics.models import DailyActivity
from zhongshu.core.errors import PermissionDenied, ValidationFailed
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)
A = effect.Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
B = effect.Period(dt.date(2026, 10, 1), dt.date(2026, 11, 15))
_no = itertools.count(1)


def at(month, day, hour=9, minute=0):
    return local(dt.date(2026, month, day), dt.time(hour, minute))


def order(customer, creator, created, *, due, confirmed=None, shipped=None, status="completed"):
    o = Order.objects.create(
        number=f"E-{next(_no):06d}", customer=customer, sales_owner=creator, created_by=creator,
        due_date=due, status=status, total_amount=Decimal("100"),
        confirmed_at=confirmed, shipped_at=shipped,
    )  # fmt: skip
    Order.objects.filter(pk=o.pk).update(created_at=created)
    return o


@pytest.fixture
def book(db):
    from zhongshu.aftersales.models import Case
    from zhongshu.approvals.models import Request

    manager = make_user("manager", username="boss")
    s1 = make_user("sales", regions=("华东",), username="desk1")
    s2 = make_user("sales", regions=("华东",), username="desk2")
    c = CustomerFactory()
    d = dt.date
    # period A: 1 late (shipped a day after due), 1 on time, 1 not shipped past its due date
    o1 = order(c, s1, at(7, 1), due=d(2026, 7, 10), confirmed=at(7, 3), shipped=at(7, 11))
    o2 = order(c, s1, at(7, 5, 10), due=d(2026, 7, 25), confirmed=at(7, 6, 10),
               shipped=at(7, 20, 10))  # fmt: skip
    order(c, s2, at(8, 1, 8), due=d(2026, 8, 20), confirmed=at(8, 4, 8), status="in_production")
    order(c, s2, at(8, 2), due=d(2026, 8, 10), status="cancelled")  # counted nowhere
    # period B: 2 on time (one on its due day), 1 late, 1 not due yet
    o5 = order(c, s1, at(10, 2), due=d(2026, 10, 15), confirmed=at(10, 2, 12), shipped=at(10, 10))
    order(c, s1, at(10, 3), due=d(2026, 10, 12), confirmed=at(10, 3, 11), shipped=at(10, 12, 20))
    order(c, s1, at(10, 4), due=d(2026, 10, 19), confirmed=at(10, 4, 14), shipped=at(10, 20))
    order(c, s1, at(11, 10), due=d(2026, 11, 30), confirmed=at(11, 10, 10), status="confirmed")
    for o, sub, dec in [(o1, at(7, 1, 10), at(7, 1, 18)), (o2, at(7, 5, 10), at(7, 5, 16)),
                        (o5, at(10, 2, 9, 30), at(10, 2, 10))]:  # fmt: skip
        Request.objects.create(kind="rush", order=o, requested_by=s1, reason="急单",
                               status="approved", submitted_at=sub, decided_at=dec,
                               decision_minutes=(dec - sub).total_seconds() // 60)  # fmt: skip
    Request.objects.create(
        kind="rush", order=o5, requested_by=s1, reason="未决", submitted_at=at(10, 5)
    )  # fmt: skip  (undecided: not counted)
    case = Case.objects.create(order=o1, category="quality", severity="low", description="毛刺")
    Case.objects.filter(pk=case.pk).update(created_at=at(7, 15))
    # 20 status look-ups a day by desk1 through period B
    DailyActivity.objects.bulk_create(
        DailyActivity(user=s1, day=B.start + dt.timedelta(days=k), kind="lookup.order", count=20)
        for k in range(B.days)
    )
    return manager


def test_each_period_against_hand_computed_figures(book):
    data = effect.report(actor=book, a=A, b=B, baseline_hours=2.0, minutes_per_lookup=3,
                         today=TODAY)  # fmt: skip
    a, b = data["a"], data["b"]
    assert (a["due"], a["late"], a["delay_rate"]) == (3, 2, 66.67)
    assert (b["due"], b["late"], b["delay_rate"]) == (3, 1, 33.33)
    assert (a["orders_received"], a["order_desk_staff"], a["orders_per_staff"]) == (3, 2, 1.5)
    # the order-desk staff: the enabled people holding the sales role (desk1, desk2)
    assert (b["orders_received"], b["order_desk_staff"], b["orders_per_staff"]) == (4, 2, 2.0)
    assert (a["release_hours_avg"], a["release_hours_median"]) == (48.0, 48.0)
    assert (b["release_hours_avg"], b["release_hours_median"]) == (2.75, 2.5)
    assert (a["ship_hours_avg"], a["ship_hours_median"]) == (300.0, 300.0)
    # 192 h, 227 h (shipped 20:00 on its due day), 384 h
    assert (b["ship_hours_avg"], b["ship_hours_median"]) == (267.67, 227.0)
    assert (a["approvals"], a["approval_hours_avg"], a["approval_hours_median"]) == (2, 7.0, 7.0)
    assert (b["approvals"], b["approval_hours_avg"]) == (1, 0.5)
    assert (a["approval_minutes_total"], a["approval_minutes_avg"]) == (840, 420.0)
    assert (a["shipped"], a["complaints"], a["complaint_rate"]) == (2, 1, 50.0)
    assert (b["shipped"], b["complaints"], b["complaint_rate"]) == (3, 0, 0.0)
    assert (a["lookups_per_day"], a["manual_check_hours_per_day"]) == (0.0, 2.0)
    assert (b["lookups_per_day"], b["manual_check_hours_per_day"]) == (20.0, 1.0)
    # 3 enabled users; desk1 active every day of B, nobody in A
    assert (a["daily_active_ratio"], b["daily_active_ratio"]) == (0.0, 33.3)


def test_changes_and_their_direction(book):
    data = effect.report(actor=book, a=A, b=B, today=TODAY)
    rows = {m["key"]: m for m in data["metrics"]}
    assert rows["delay_rate"]["change"] == -33.34 and rows["delay_rate"]["improved"] is True
    assert rows["orders_per_staff"]["b"] == 2.0  # 4 orders, 2 sales users
    assert rows["orders_per_staff"]["change_pct"] == pytest.approx(33.3)
    assert rows["approval_hours_avg"]["change_pct"] == pytest.approx(-92.9)
    assert rows["manual_check_hours_per_day"]["a"] is None  # no baseline entered


def test_xlsx_has_one_row_per_metric(book):
    data = effect.report(actor=book, a=A, b=B, baseline_hours=2.0, today=TODAY)
    buf = io.BytesIO()
    effect.write_xlsx(buf, data)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(buf.getvalue())).get_sheet_by_index(0)
    rows = rows.to_python()
    assert len([r for r in rows[1:] if r[0]]) >= len(effect.METRICS)
    delay = next(r for r in rows if r[0] == str(effect.METRICS[0][1]))
    assert delay[2:4] == [66.67, 33.33]


def test_bad_periods_and_roles_are_refused(book):
    with pytest.raises(ValidationFailed):
        effect.clean_period(dt.date(2026, 5, 2), dt.date(2026, 5, 1), "a")
    with pytest.raises(ValidationFailed):
        effect.report(actor=book, a=A, b=B, baseline_hours=-1)
    with pytest.raises(PermissionDenied):
        effect.report(actor=make_user("sales"), a=A, b=B)
