"""Rules on "customer tier changed": a segment recomputation changes a customer's tier, the rules
app hears it (``analytics.segments.on_tier_change``) and follows up with the account owner or puts
the customer on a list — once, however often the recomputation runs."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.analytics.histories import add_orders, days_before, local
from tests.factories import CustomerFactory, RegionFactory, make_user
from zhongshu.analytics import segments
from zhongshu.analytics.models import CustomerSegment
from zhongshu.rules import services
from zhongshu.rules.models import (
    CustomerList,
    CustomerListMember,
    CustomerRuleHit,
    FollowUp,
    Rule,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NOW = local(TODAY, dt.time(18, 0))
PAST = NOW - dt.timedelta(days=90)  # the history's last order was 10 days old then, 100 now
EXAMPLE_INTERVALS = [37, 39, 36, 40, 38, 37, 35, 38, 41]
URL = "/api/v1/rules"
COMEBACK = {
    "name": "流失客户回归 → 新品试用邀请",
    "triggers": ["customer.tier_changed"],
    "condition": {"all": [{"field": "previous_tier", "op": "eq", "value": "at_risk"},
                          {"field": "customer_region", "op": "eq", "value": "华东"}]},
    "actions": [
        {"type": "owner_followup", "title": "回访 {customer_name}：{previous_tier} → {tier}",
         "due_in_days": 2},
        {"type": "add_to_list", "list": "新品试用邀请"},
    ],
}  # fmt: skip


@pytest.fixture
def owner(db):
    return make_user("sales", regions=("华东",), username="li")


@pytest.fixture
def boss(db):
    return make_user("manager", username="boss")


def steady_customer(owner, *, last_ago: int, region="华东"):
    """Ten order days about 38 days apart (27 orders of ¥12,000), the last ``last_ago`` days ago."""
    c = CustomerFactory(region=RegionFactory(name=region))
    days = days_before(EXAMPLE_INTERVALS, last_ago=last_ago)
    add_orders(c, owner, days[:7], today=TODAY, amount="12000", per_day=3)
    add_orders(c, owner, days[7:], today=TODAY, amount="12000", per_day=2)
    return c


def recompute(capture, now=NOW):
    with capture(execute=True):
        return segments.recompute(now=now)


def seg(customer) -> CustomerSegment:
    return CustomerSegment.objects.get(customer=customer)


def rule_tasks():
    """The follow-ups the rules made (a steady customer also gets its regular visit)."""
    return FollowUp.objects.filter(rule__isnull=False)


def test_churn_risk_gets_one_follow_up_call_for_the_owner(
    owner, django_capture_on_commit_callbacks
):
    """The shipped rule: a steady customer goes silent → 流失风险客户 → a call for the owner."""
    c = steady_customer(owner, last_ago=100)
    recompute(django_capture_on_commit_callbacks, PAST)
    assert (
        seg(c).tier == "key" and not rule_tasks().exists()
    )  # the rule wants at_risk, not a first key

    run = recompute(django_capture_on_commit_callbacks)
    assert run.changed == 1 and seg(c).tier == "at_risk"
    task = rule_tasks().get()
    rule = Rule.objects.get(builtin_key="tier_at_risk_followup")
    assert (task.customer, task.assignee, task.rule) == (c, owner, rule)
    # the expected next order (≈ 62 days ago) has passed: the call is due today
    assert seg(c).expected_next < TODAY and task.due_date == TODAY
    assert task.title.startswith(f"电话回访：{c.name}（{c.code}）由")

    recompute(django_capture_on_commit_callbacks, NOW + dt.timedelta(minutes=5))
    assert rule_tasks().count() == 1  # no change, nothing new
    services.check_tier_changes(
        [segments.TierChange(c.pk, "key", "at_risk", seg(c).expected_next)]
    )  # the same change heard twice (a second worker): still one task
    assert rule_tasks().count() == 1 and CustomerRuleHit.objects.filter(rule=rule).count() == 1


def test_a_returning_customer_is_followed_up_at_the_expected_next_order_and_listed_once(
    owner, boss, api_as, no_default_rules, django_capture_on_commit_callbacks
):
    r = api_as(boss).post(URL, COMEBACK)
    assert r.status_code == 201, r.content
    back = steady_customer(owner, last_ago=100)
    elsewhere = steady_customer(owner, last_ago=100, region="华北")
    recompute(django_capture_on_commit_callbacks)
    assert seg(back).tier == seg(elsewhere).tier == "at_risk"

    for c in (back, elsewhere):
        add_orders(c, owner, [3], today=TODAY, amount="12000")
    run = recompute(django_capture_on_commit_callbacks)
    assert run.changed == 2 and seg(back).previous_tier == "at_risk"
    expected = seg(back).expected_next
    assert expected > TODAY

    task = rule_tasks().get()  # the 华北 customer does not match the region condition
    assert (task.customer, task.assignee, task.due_date) == (back, owner, expected)
    assert task.title.startswith(f"回访 {back.name}：") and " → " in task.title  # as typed
    member = CustomerListMember.objects.get()
    assert (member.customer_list.name, member.customer, member.tier) == (
        "新品试用邀请",
        back,
        seg(back).tier,
    )

    recompute(django_capture_on_commit_callbacks)  # again: no tier changes
    services.check_tier_changes([segments.TierChange(back.pk, "at_risk", seg(back).tier, expected)])
    assert rule_tasks().count() == 1
    assert CustomerListMember.objects.count() == 1 and CustomerList.objects.count() == 1


def test_without_an_active_owner_the_regions_sales_users_are_asked(
    owner, no_default_rules, django_capture_on_commit_callbacks
):
    Rule.objects.filter(builtin_key="tier_at_risk_followup").update(enabled=True)
    north_a = make_user("sales", regions=("华北",))
    north_b = make_user("sales", regions=("华北", "华东"))
    make_user("sales", regions=("华南",))
    make_user("planner", regions=("华北",))
    c = steady_customer(owner, last_ago=100, region="华北")
    recompute(django_capture_on_commit_callbacks, PAST)
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    recompute(django_capture_on_commit_callbacks)
    assert set(rule_tasks().values_list("assignee", flat=True)) == {north_a.pk, north_b.pk}
    assert set(rule_tasks().values_list("customer", flat=True)) == {c.pk}


def test_a_disabled_rule_does_nothing(owner, django_capture_on_commit_callbacks):
    Rule.objects.filter(builtin_key="tier_at_risk_followup").update(enabled=False)
    c = steady_customer(owner, last_ago=100)
    recompute(django_capture_on_commit_callbacks, PAST)
    recompute(django_capture_on_commit_callbacks)
    assert seg(c).tier == "at_risk"
    at_risk_hits = CustomerRuleHit.objects.filter(rule__builtin_key="tier_at_risk_followup")
    assert not rule_tasks().exists() and not at_risk_hits.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 201), ("admin", 201), ("planner", 403), ("sales", 403), ("purchasing", 403)],
)
def test_only_rule_managers_create_tier_rules(api_as, role, status):
    user = make_user(role, regions=("华东",))
    before = Rule.objects.count()
    r = api_as(user).post(URL, COMEBACK)
    assert r.status_code == status, r.content
    assert Rule.objects.count() == before + (1 if status == 201 else 0)


def test_tier_rules_speak_of_customers_only(api_as, boss):
    bad = {
        **COMEBACK,
        "triggers": ["customer.tier_changed", "order.created"],
        "condition": {"all": [{"field": "days_to_due", "op": "lte", "value": 3},
                              {"field": "tier", "op": "eq", "value": "gold"}]},
        "actions": [{"type": "tag", "tag": "x"}, {"type": "add_to_list", "list": ""}],
    }  # fmt: skip
    r = api_as(boss).post(URL, bad)
    assert r.status_code == 422
    fields = [e["field"] for e in r.json()["details"]["errors"]]
    assert fields == [
        "triggers",
        "condition.all[0].field",
        "condition.all[1].value",
        "actions[0].type",
        "actions[1].list",
    ]
    # and order rules do not get the customer fields/actions
    r = api_as(boss).post(URL, {**COMEBACK, "triggers": ["order.created"]})
    fields = [e["field"] for e in r.json()["details"]["errors"]]
    assert fields == ["condition.all[0].field", "actions[0].type", "actions[1].type"]


def test_the_list_page_and_its_export(owner, boss, django_capture_on_commit_callbacks):
    rule = services.rule_create(
        actor=boss,
        data={**COMEBACK, "condition": {"all": []},
              "actions": [{"type": "add_to_list", "list": "新品试用邀请"}]},
    )  # fmt: skip
    c = steady_customer(owner, last_ago=100)
    recompute(django_capture_on_commit_callbacks, PAST)
    recompute(django_capture_on_commit_callbacks)
    target = CustomerList.objects.get(name="新品试用邀请")
    # no condition: the first classification (→ key) fires like the later change (→ at risk)
    assert CustomerRuleHit.objects.filter(rule=rule).count() == 2

    client = Client()
    client.force_login(boss)
    page = client.get(f"/rules/lists/{target.pk}/")
    assert page.status_code == 200 and c.name in page.content.decode()
    assert "新品试用邀请" in client.get("/rules/lists/").content.decode()
    export = client.get(f"/rules/lists/{target.pk}/export/")
    assert export.status_code == 200
    assert b"".join(export.streaming_content)[:2] == b"PK"  # an xlsx (zip) file

    client.force_login(owner)  # sales: no rules.view
    assert client.get(f"/rules/lists/{target.pk}/").status_code == 403
    assert client.get(f"/rules/lists/{target.pk}/export/").status_code == 403


def test_the_editor_offers_the_trigger_and_the_customer_fields(boss):
    client = Client()
    client.force_login(boss)
    html = client.get("/rules/new/").content.decode()
    assert 'value="customer.tier_changed"' in html
    assert '"customer_fields"' in html and '"previous_tier"' in html
    assert '"add_to_list"' in html and '"owner_followup"' in html


def test_the_shipped_trial_list_rule_adds_high_value_steady_customers_once(
    owner, django_capture_on_commit_callbacks
):
    rule = Rule.objects.get(builtin_key="tier_key_trial_list")
    assert rule.enabled and rule.triggers == ["customer.tier_changed"]
    steady = steady_customer(owner, last_ago=10)
    small = CustomerFactory(region=steady.region)
    add_orders(small, owner, [400, 300], today=TODAY, amount="300")

    recompute(django_capture_on_commit_callbacks, PAST)  # steady then: 高价值稳定客户
    assert (seg(steady).tier, seg(small).tier) == ("key", "regular")
    (member,) = CustomerListMember.objects.all()
    assert (member.customer_list.name, member.customer) == ("新品试用邀请", steady)

    # lapsing later and coming back changes nothing on the list: added once
    recompute(django_capture_on_commit_callbacks)
    services.check_tier_changes([segments.TierChange(steady.pk, "at_risk", "key", None)])
    assert CustomerListMember.objects.count() == 1
