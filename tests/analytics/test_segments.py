"""Customer tiers from constructed order histories: one customer per tier, the issue's example
(27 orders in 12 months, average ¥12,000, last intervals 35, 38, 41 days) and a customer whose
rhythm broke. The clock is fixed; orders are written straight into the tables."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.analytics.histories import add_orders, days_before, local
from tests.factories import CustomerFactory, make_user
from zhongshu.analytics import segments
from zhongshu.analytics.models import CustomerSegment, SegmentRun

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)
NOW = local(TODAY, dt.time(18, 0))
# the example: ten order days ~38 days apart, the last three intervals 35, 38, 41
EXAMPLE_INTERVALS = [37, 39, 36, 40, 38, 37, 35, 38, 41]


@pytest.fixture
def owner(db):
    return make_user("sales", regions=("华东",))


def seg(customer) -> CustomerSegment:
    return CustomerSegment.objects.get(customer=customer)


def example_customer(owner, *, last_ago=10):
    c = CustomerFactory()
    days = days_before(EXAMPLE_INTERVALS, last_ago=last_ago)
    # 27 orders on 10 order days (3, 3, …, 3, 2, 1 … spread so the total is 27)
    add_orders(c, owner, days[:7], today=TODAY, amount="12000", per_day=3)
    add_orders(c, owner, days[7:], today=TODAY, amount="12000", per_day=2)
    return c


def test_the_issue_example_is_a_high_value_steady_customer(owner):
    c = example_customer(owner)
    segments.recompute(now=NOW)

    s = seg(c)
    assert s.orders == 27 and s.order_days == 10
    assert float(s.avg_amount) == 12000.0
    assert s.tier == "key"  # 高价值稳定客户
    # weighted over the last 3 intervals (41, 38, 35; weights 1, .7, .49)
    assert 37.5 < s.interval_mean < 39.5
    assert s.interval_spread < 3.5
    assert s.recency_days == 10
    assert s.last_order == TODAY - dt.timedelta(days=10)
    assert s.expected_next == s.last_order + dt.timedelta(days=round(s.interval_mean))


def test_a_customer_whose_rhythm_broke_is_a_churn_risk(owner):
    steady = CustomerFactory()
    add_orders(steady, owner, [80 + 30 * k for k in range(10)], today=TODAY, amount="5000")
    fallen_key = example_customer(owner, last_ago=100)  # the example, silent for 100 days
    segments.recompute(now=NOW)

    s = seg(steady)
    assert s.interval_mean == pytest.approx(30.0)
    assert s.recency_days == 80  # > 1.5 × 30 and > 30 + 2 × spread
    assert s.tier == "at_risk"  # 流失风险客户
    assert seg(fallen_key).tier == "at_risk"
    assert seg(fallen_key).expected_next < TODAY  # overdue against its own rhythm


def test_a_customer_just_a_little_late_is_not_at_risk(owner):
    c = CustomerFactory()
    add_orders(c, owner, [40 + 30 * k for k in range(10)], today=TODAY, amount="5000")
    segments.recompute(now=NOW)
    assert seg(c).recency_days == 40  # < 1.5 × 30
    assert seg(c).tier == "regular"


def test_new_growing_regular_and_lapsed_customers(owner):
    new = CustomerFactory()
    add_orders(new, owner, [20, 5], today=TODAY, amount="30000")
    growing = CustomerFactory()
    add_orders(growing, owner, [300, 250], today=TODAY, amount="1000")
    add_orders(growing, owner, [150, 110, 70, 30], today=TODAY, amount="5000")
    regular = CustomerFactory()
    add_orders(regular, owner, [5 + 20 * k for k in range(17)], today=TODAY, amount="2000")
    lapsed = CustomerFactory()
    add_orders(lapsed, owner, [500, 460], today=TODAY, amount="9000")
    lost = CustomerFactory()
    add_orders(lost, owner, [400, 430, 460], today=TODAY, amount="9000")
    never = CustomerFactory()
    cancelled_only = CustomerFactory()
    add_orders(cancelled_only, owner, [10], today=TODAY, status="cancelled")

    run = segments.recompute(now=NOW)

    assert seg(new).tier == "new"  # 新客户: first order 20 days ago
    assert seg(growing).tier == "growing"  # 成长客户: ¥20,000 in the recent half vs ¥2,000
    assert seg(growing).trend == pytest.approx(9.0)
    assert seg(regular).tier == "regular"  # 普通客户
    # no order in the window: two orders are too few to have had a rhythm to lose, three are not
    assert seg(lapsed).tier == "regular"
    assert seg(lapsed).orders == 0 and seg(lapsed).recency_days == 460
    assert seg(lost).tier == "at_risk"
    assert not CustomerSegment.objects.filter(customer__in=[never, cancelled_only]).exists()
    assert run.customers == 5
    assert run.counts == {"new": 1, "growing": 1, "regular": 2, "at_risk": 1}


def test_thresholds_are_editable(owner):
    c = example_customer(owner)
    settings = segments.get_settings()
    settings.key_min_avg_amount = 15000
    settings.save()
    segments.recompute(now=NOW)
    assert seg(c).tier == "regular"


def test_a_tier_change_is_recorded_and_announced(owner, django_capture_on_commit_callbacks):
    c = example_customer(owner)
    heard = []
    segments.on_tier_change(heard.extend)
    try:
        segments.recompute(now=NOW)
        # the first tier is a change too (from none), announced like any later one
        assert seg(c).previous_tier == "" and seg(c).tier_changed_at is not None
        later = NOW + dt.timedelta(days=90)  # no order since: 100 days silent
        with django_capture_on_commit_callbacks(execute=True):
            run = segments.recompute(now=later)
    finally:
        segments._listeners.remove(heard.extend)
    s = seg(c)
    assert (s.previous_tier, s.tier) == ("key", "at_risk")
    assert s.tier_changed_at == later.replace(microsecond=0) or s.tier_changed_at == later
    assert run.changed == 1
    assert [(h.customer_id, h.previous_tier, h.tier) for h in heard] == [(c.pk, "key", "at_risk")]
    assert SegmentRun.objects.count() == 2


def test_the_periodic_job_runs_at_most_once_per_period(owner):
    example_customer(owner)
    assert segments.recompute_job() is not None
    assert segments.recompute_job() is None
    assert timezone.now() - SegmentRun.objects.get().started_at < dt.timedelta(minutes=5)
