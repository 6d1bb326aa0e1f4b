"""Customer tiers from real history (SPEC §9), under the shipped default settings: the past
orders are written by the history path of the orders app, as an import of them writes them."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.analytics.histories import local
from tests.factories import CustomerFactory, MaterialFactory, make_user
from zhongshu.analytics import segments
from zhongshu.analytics.models import AnalyticsSettings, CustomerSegment
from zhongshu.customers import tiers
from zhongshu.customers.models import Customer
from zhongshu.orders.services.history import PastLine, PastOrder, orders_record_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    """The fixed clock of the segmentation (``recompute(now=…)``); the history written before it
    is in the past of the real clock too."""
    return dt.date(2026, 11, 20)


@pytest.fixture
def owner(db):
    return make_user("sales", regions=("华东",))


def history(owner, customer, days_ago: list[int], *, today, amount: str, tag="") -> None:
    """One completed order of ``amount`` (before tax) on each of ``days_ago``."""
    material = MaterialFactory(standard_price=amount)
    past = []
    for k, ago in enumerate(days_ago):
        day = today - dt.timedelta(days=ago)
        past.append(
            PastOrder(
                customer_id=customer.pk, external_no=f"{customer.code}-{tag}{k}", ordered_on=day,
                due_date=day + dt.timedelta(days=10), shipped_on=min(day + dt.timedelta(days=5), today),
                lines=[PastLine(material.pk, Decimal(1), Decimal(amount), "stock")],
                values={"tax_rate": 0},
            )
        )  # fmt: skip
    results = orders_record_history(actor=owner, orders=past)
    assert all(getattr(r, "pk", None) for r in results), results


def gaps_to_days(intervals_oldest_first: list[int], *, last_ago: int) -> list[int]:
    out = [last_ago]
    for gap in reversed(intervals_oldest_first):
        out.append(out[-1] + gap)
    return sorted(out, reverse=True)


# 27 orders in the past year: 23 early ones at no rhythm at all (gaps 1 to 21 days), then the
# last three intervals 41, 38 and 35 days, the last order 10 days ago
IRREGULAR = [13, 2, 21, 5, 1, 17, 8, 3, 19, 6, 11, 1, 4, 20, 2, 9, 15, 3, 7, 12, 1, 18, 4]
THE_CASE = gaps_to_days([*IRREGULAR, 41, 38, 35], last_ago=10)


def test_the_spec_case_is_a_high_value_steady_customer_by_default(owner, today):
    assert len(THE_CASE) == 27 and max(THE_CASE) < 365
    c = CustomerFactory()
    history(owner, c, THE_CASE, today=today, amount="12000")
    assert AnalyticsSettings.objects.count() == 0  # the shipped defaults
    segments.recompute(now=local(today, dt.time(18)))
    s = CustomerSegment.objects.get(customer=c)
    assert (s.orders, float(s.avg_amount)) == (27, 12000.0)
    assert s.interval_mean == pytest.approx((35 + 0.7 * 38 + 0.49 * 41) / 2.19)
    assert s.tier == "key"
    c.refresh_from_db()
    assert c.tier == "key"  # 高价值稳定客户, in the customer's one tier field


def test_two_small_orders_years_ago_are_a_regular_customer(owner, today):
    c = CustomerFactory(tier="key")  # what was typed in before the history came
    history(owner, c, [900, 760], today=today, amount="300")
    segments.recompute(now=local(today, dt.time(18)))
    c.refresh_from_db()
    assert c.tier == "regular"  # no rhythm to lose: not a churn risk, not a key customer
    assert CustomerSegment.objects.get(customer=c).orders == 0


def test_a_lapsed_customer_is_a_churn_risk(owner, today):
    c = CustomerFactory()
    # twelve orders a month apart, big ones, then nothing for 200 days
    history(owner, c, [200 + 30 * k for k in range(12)], today=today, amount="15000")
    segments.recompute(now=local(today, dt.time(18)))
    c.refresh_from_db()
    assert c.tier == "at_risk"


def test_the_first_classification_is_announced_like_any_change(
    owner, today, django_capture_on_commit_callbacks
):
    c = CustomerFactory()
    history(owner, c, THE_CASE, today=today, amount="12000")
    heard = []
    tiers.on_tier_change(heard.extend)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = segments.recompute(now=local(today, dt.time(18)))
        with django_capture_on_commit_callbacks(execute=True):
            again = segments.recompute(now=local(today, dt.time(19)))
    finally:
        tiers._listeners.remove(heard.extend)
    assert [(h.customer_id, h.previous_tier, h.tier) for h in heard] == [(c.pk, "", "key")]
    assert (run.changed, again.changed) == (1, 0)


def test_each_computed_tier_change_is_a_row_of_the_customers_history(owner, today):
    c = CustomerFactory()
    history(owner, c, THE_CASE, today=today, amount="12000")
    before = c.history.count()
    segments.recompute(now=local(today, dt.time(18)))
    segments.recompute(now=local(today, dt.time(19)))  # nothing changes: no second row
    rows = list(c.history.order_by("-history_date")[: c.history.count() - before])
    assert [(h.tier, h.history_change_reason, h.history_user) for h in rows] == [
        ("key", "客户分层重新计算", None)
    ]
    assert rows[0].prev_record.tier == "regular"


def test_the_segment_list_reads_the_customers_tier(owner, today, admin_user):
    c = CustomerFactory()
    history(owner, c, THE_CASE, today=today, amount="12000")
    segments.recompute(now=local(today, dt.time(18)))
    listed = segments.segment_list(actor=admin_user, tier="key")
    assert [s.customer_id for s in listed] == [c.pk]
    summary = {
        t["tier"]: t["customers"] for t in segments.segment_summary(actor=admin_user)["tiers"]
    }
    assert summary["key"] == 1
    assert Customer.objects.get(pk=c.pk).tier == "key"


def test_a_steady_customer_gets_a_regular_visit_at_its_own_rhythm(
    owner, today, django_capture_on_commit_callbacks
):
    from zhongshu.rules.models import FollowUp

    c = CustomerFactory()
    # the case, its last order 40 days ago: the next one (every ≈ 37 days) is due
    history(owner, c, gaps_to_days([*IRREGULAR, 41, 38, 35], last_ago=40), today=today,
            amount="12000")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        segments.recompute(now=local(today, dt.time(18)))
    with django_capture_on_commit_callbacks(execute=True):
        segments.recompute(now=local(today, dt.time(19)))  # again: still one visit
    s = CustomerSegment.objects.get(customer=c)
    assert s.expected_next == today - dt.timedelta(days=40 - 37)
    visit = FollowUp.objects.get(customer=c)
    assert (visit.assignee_id, visit.due_date) == (owner.pk, today)  # overdue: due today
    assert "37" in visit.title
    # the visit is made; the customer orders again, 36 days after its previous order
    visit.done_at = local(today)
    visit.save()
    history(owner, Customer.objects.get(pk=c.pk), [4], today=today, amount="12000", tag="b")
    later = today + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        segments.recompute(now=local(later, dt.time(18)))
    s = CustomerSegment.objects.get(customer=c)
    c.refresh_from_db()
    assert c.tier == "key"
    visits = list(FollowUp.objects.filter(customer=c).order_by("id"))
    assert len(visits) == 2 and visits[1].done_at is None
    # the new rhythm (38, 35, 36 days) from the new last order
    assert (
        visits[1].due_date
        == s.expected_next
        == today - dt.timedelta(days=4) + dt.timedelta(days=36)
    )
