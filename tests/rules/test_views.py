"""The rule editor, the dry run fragment, history, my tasks page and the order panel."""

import json

import pytest
from django.test import Client
from django.utils.html import escape

from tests.factories import make_order, make_user
from zhongshu.rules.models import FollowUp, OrderTag, Rule, RuleHit


@pytest.fixture
def boss_client(db):
    boss = make_user("manager", username="boss")
    client = Client()
    client.force_login(boss)
    return client


FORM = {
    "name": "大单提醒",
    "enabled": "on",
    "triggers": ["schedule"],
    "interval_minutes": "60",
    "dedupe": "day",
    "condition": json.dumps({"all": [{"field": "amount", "op": "gte", "value": 100000}]}),
    "actions": json.dumps([{"type": "notify", "roles": ["manager"], "channel": "inapp",
                            "template": "{number}"}]),
}  # fmt: skip


def test_rule_list_shows_the_shipped_rules(boss_client):
    r = boss_client.get("/rules/")
    assert r.status_code == 200
    assert "交期 ≤3天且未开始生产 → 企业微信提醒生产主管" in r.content.decode()


def test_create_edit_and_history(boss_client):
    r = boss_client.post("/rules/new/", FORM)
    assert r.status_code == 302
    rule = Rule.objects.get(name="大单提醒")
    assert rule.condition == {"all": [{"field": "amount", "op": "gte", "value": "100000"}]}
    r = boss_client.post(f"/rules/{rule.pk}/", {**FORM, "name": "大单提醒2", "enabled": ""})
    assert r.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.enabled) == ("大单提醒2", False)
    page = boss_client.get(f"/rules/{rule.pk}/").content.decode()
    assert 'class="history"' in page and page.count("· boss ·") == 2
    assert 'src="/static/rules/editor.js"' in page and "<script>" not in page


def test_bad_input_is_shown_not_saved(boss_client):
    bad = {**FORM, "condition": json.dumps({"field": "colour", "op": "eq", "value": 1}),
           "actions": "[not json"}  # fmt: skip
    r = boss_client.post("/rules/new/", bad)
    assert r.status_code == 422
    assert "编辑器提交的内容不是有效的 JSON。" in r.content.decode()  # zh-hans by default
    r = boss_client.post("/rules/new/", {**FORM, "condition": bad["condition"]})
    assert r.status_code == 422 and "未知字段 colour" in r.content.decode()
    assert not Rule.objects.filter(name="大单提醒").exists()


def test_dry_run_fragment(boss_client, sales_east, customer_east):
    order = make_order(actor=sales_east, customer=customer_east, priority="urgent")
    cond = json.dumps({"field": "priority", "op": "eq", "value": "urgent"})
    r = boss_client.post("/rules/dry-run/", {"condition": cond}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "现在有 1 个未结订单匹配。" in r.content.decode() and order.number in r.content.decode()
    r = boss_client.post("/rules/dry-run/", {"condition": '{"field": "x"}'})
    assert r.status_code == 422 and "condition.field" in r.content.decode()


def test_delete(boss_client):
    rule = Rule.objects.create(
        name="tmp", triggers=["schedule"], actions=[{"type": "tag", "tag": "t"}]
    )
    assert boss_client.post(f"/rules/{rule.pk}/delete/").status_code == 302
    assert not Rule.objects.filter(pk=rule.pk).exists()


def test_my_tasks_page_and_done(db, sales_east, customer_east):
    buyer = make_user("purchasing", username="buyer")
    order = make_order(actor=sales_east, customer=customer_east)
    mine = FollowUp.objects.create(title="催料 GEAR-1", order=order, assignee_role="purchasing")
    FollowUp.objects.create(title="别人的", assignee_role="qc")
    client = Client()
    client.force_login(buyer)
    page = client.get("/rules/tasks/").content.decode()
    assert "催料 GEAR-1" in page and "别人的" not in page and order.number in page
    assert client.post(f"/rules/tasks/{mine.pk}/done/").status_code == 302
    mine.refresh_from_db()
    assert mine.done_by == buyer
    assert "<strong>催料 GEAR-1</strong>" not in client.get("/rules/tasks/").content.decode()
    assert "<strong>催料 GEAR-1</strong>" in client.get("/rules/tasks/?done=1").content.decode()


def test_the_header_badge_counts_open_tasks(db):
    from zhongshu.rules.selectors import open_followup_count

    buyer = make_user("purchasing")
    FollowUp.objects.create(title="a", assignee_role="purchasing")
    FollowUp.objects.create(title="b", assignee=buyer)
    FollowUp.objects.create(title="c", assignee=make_user("qc"))
    assert open_followup_count(buyer) == 2


@pytest.mark.parametrize("n", [2, 20])
def test_order_panel(db, sales_east, customer_east, n, django_assert_max_num_queries):
    from django.test import RequestFactory

    from zhongshu.rules.views import order_panel

    order = make_order(actor=sales_east, customer=customer_east)
    rule = Rule.objects.get(builtin_key="stock_shortage_block")
    OrderTag.objects.create(order=order, tag="急单")
    RuleHit.objects.create(rule=rule, order=order, key="2026-01-01", trigger="order.submitted",
                           run="x", blocked=True)  # fmt: skip
    FollowUp.objects.bulk_create(
        [FollowUp(title=f"跟进{i}", order=order, assignee_role="purchasing") for i in range(n)]
    )
    request = RequestFactory().get("/")
    request.user = sales_east
    with django_assert_max_num_queries(5):  # roles, tags, tasks, hits (+ rule)
        html = order_panel(request, order)
    assert "急单" in html and "跟进0" in html and escape(rule.name) in html
    other = make_order(actor=sales_east, customer=customer_east)
    assert order_panel(request, other) is None


@pytest.mark.parametrize("n", [3, 30])
def test_pages_query_count(db, sales_east, customer_east, n, django_assert_max_num_queries):
    # given n rules and n open tasks of an order for purchasing
    buyer, boss = make_user("purchasing"), make_user("manager")
    order = make_order(actor=sales_east, customer=customer_east)
    FollowUp.objects.bulk_create(
        [FollowUp(title=f"t{i}", order=order, assignee_role="purchasing") for i in range(n)]
    )
    Rule.objects.bulk_create(
        [Rule(name=f"r{i}", triggers=["schedule"], actions=[{"type": "tag", "tag": "x"}])
         for i in range(n)]
    )  # fmt: skip
    client = Client()
    client.force_login(buyer)
    with django_assert_max_num_queries(12):
        assert client.get("/rules/tasks/").status_code == 200
    client.force_login(boss)
    with django_assert_max_num_queries(12):
        assert client.get("/rules/").status_code == 200
