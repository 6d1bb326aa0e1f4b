"""The two shipped rules, end to end through the real services, API and web."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import MaterialFactory, make_order, make_user, put_stock
from zhongshu.notify.models import Message, Robot
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_transition
from zhongshu.rules import services
from zhongshu.rules.exceptions import RuleBlocked
from zhongshu.rules.models import FollowUp, Rule, RuleHit


@pytest.fixture
def sales(east):
    return make_user("sales", regions=("华东",), username="sales_a")


@pytest.fixture
def short_order(sales, customer_east, stocked):
    """A draft for 20 GEAR-1 while 10 are on hand."""
    return make_order(
        actor=sales,
        customer=customer_east,
        lines=[{"material": stocked.code, "quantity": "20", "unit_price": "10"}],
    )


def test_both_default_rules_are_installed_and_enabled(db):
    keys = dict(Rule.objects.exclude(builtin_key="").values_list("builtin_key", "enabled"))
    assert keys == {
        "due_soon_not_started": True,
        "stock_shortage_block": True,
        "tier_at_risk_followup": True,
        "tier_key_trial_list": True,
    }


def test_a_short_order_cannot_be_submitted_and_purchasing_gets_a_follow_up(
    api_as, sales, short_order
):
    # given a draft that needs 20 while 10 are available
    # when sales submits it through the API
    r = api_as(sales).post(f"/api/v1/orders/{short_order.pk}/transitions", {"action": "submit"})
    # then it is refused with the rule's message, and the order is still a draft
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "blocked_by_rule"
    assert body["message"] == "可用库存不足，订单不能提交；已通知采购跟进。"
    assert body["details"]["shortages"] == [{"material": "GEAR-1", "short": "10"}]
    short_order.refresh_from_db()
    assert (short_order.status, short_order.version) == ("draft", 1)
    # and one purchasing follow-up exists for the order, naming the shortage
    task = FollowUp.objects.get(order=short_order)
    assert task.assignee_role == "purchasing"
    assert task.title == f"采购跟进：订单 {short_order.number} 缺料 GEAR-1 −10"
    assert task.due_date == timezone.localdate() + dt.timedelta(days=1)
    assert RuleHit.objects.get(order=short_order).blocked is True

    # when sales tries again the same day / then still refused, and still one task
    again = api_as(sales).post(f"/api/v1/orders/{short_order.pk}/transitions", {"action": "submit"})
    assert again.status_code == 409
    assert FollowUp.objects.filter(order=short_order).count() == 1


def test_with_enough_stock_the_same_order_submits(api_as, sales, short_order, stocked, warehouse):
    # given 10 more arrive (20 available)
    put_stock(stocked, "10", warehouse=warehouse)
    # when submitted / then it goes to review and nobody is asked to buy anything
    r = api_as(sales).post(f"/api/v1/orders/{short_order.pk}/transitions", {"action": "submit"})
    assert r.status_code == 200, r.content
    assert Order.objects.get(pk=short_order.pk).status == "pending_review"
    assert not FollowUp.objects.exists()


def test_the_web_shows_the_refusal_and_keeps_the_draft(sales, short_order):
    client = Client()
    client.force_login(sales)
    r = client.post(
        f"/orders/{short_order.pk}/transition/",
        {"action": "submit", "version": short_order.version},
        follow=True,
    )
    assert "可用库存不足，订单不能提交；已通知采购跟进。" in r.content.decode()
    assert Order.objects.get(pk=short_order.pk).status == "draft"
    assert FollowUp.objects.filter(order=short_order, assignee_role="purchasing").count() == 1


def test_a_direct_service_call_runs_the_follow_up_once_asked(sales, short_order):
    # given a script (no request) submits a short order
    with pytest.raises(RuleBlocked):
        order_transition(actor=sales, order_id=short_order.pk, action="submit")
    # then nothing was written by the refused transaction
    assert not FollowUp.objects.exists()
    # when the script lets the engine run what the refusal left pending / then the task exists
    assert services.run_deferred() == 1
    assert FollowUp.objects.filter(order=short_order).count() == 1


def test_switching_the_rule_off_lets_short_orders_through(sales, short_order):
    Rule.objects.filter(builtin_key="stock_shortage_block").update(enabled=False)
    order = order_transition(actor=sales, order_id=short_order.pk, action="submit")
    assert order.status == "pending_review"


# --- due soon, production not started → WeCom to the supervisor ----------------------------------


@pytest.fixture
def wecom(db):
    return Robot.objects.create(
        kind="wecom", name="生产群", webhook_url="http://127.0.0.1:18301/cgi-bin/webhook/send?key=k"
    )


@pytest.fixture
def supervisor(db):
    user = make_user("supervisor", username="zhang_sup")
    user.profile.wecom_userid, user.profile.mobile = "zhangsan", "13900000001"
    user.profile.save(update_fields=["wecom_userid", "mobile"])
    return user


def test_due_in_two_days_and_not_started_makes_one_wecom_message(
    sales, customer_east, wecom, supervisor, django_capture_on_commit_callbacks
):
    # given a confirmed make-to-order order due in 2 days, and one due in 9 days
    make = {"material": "MOLD-9", "quantity": "1", "unit_price": "100"}
    MaterialFactory(code="MOLD-9", fulfilment="make")
    with django_capture_on_commit_callbacks(execute=True):
        soon = make_order(
            actor=sales, customer=customer_east, due_in_days=2, lines=[make], status="confirmed"
        )
        make_order(
            actor=sales, customer=customer_east, due_in_days=9, lines=[make], status="confirmed"
        )
    # the status change already checked it (order.status_changed trigger): exactly one message
    messages = list(Message.objects.filter(channel="wecom"))
    assert len(messages) == 1
    msg = messages[0]
    assert msg.order_id == soon.pk and msg.robot == wecom
    assert msg.payload["text"]["mentioned_list"] == ["zhangsan"]
    assert soon.number in msg.payload["text"]["content"]
    assert "还剩 2 天" in msg.body

    # when the scheduled scan runs, twice the same day / then no second message
    rule = Rule.objects.get(builtin_key="due_soon_not_started")
    assert services.scan_rule(rule) == []
    services.scan_due_rules()
    services.scan_due_rules()
    assert Message.objects.filter(channel="wecom").count() == 1
    assert RuleHit.objects.filter(rule=rule).count() == 1


def test_the_scan_finds_orders_that_became_due_without_any_event(
    sales, customer_east, wecom, supervisor
):
    # given the rule is only scheduled now, and an order due in 3 days is in scheduling
    rule = Rule.objects.get(builtin_key="due_soon_not_started")
    rule.triggers = ["schedule"]
    rule.save()
    MaterialFactory(code="MOLD-8", fulfilment="make")
    order = make_order(
        actor=sales, customer=customer_east, due_in_days=3, status="scheduling",
        lines=[{"material": "MOLD-8", "quantity": "1", "unit_price": "1"}],
    )  # fmt: skip
    assert not Message.objects.exists()
    # when the periodic job runs / then one message; the rule is not due again for 15 minutes
    assert services.scan_due_rules() == {rule.pk: 1}
    assert Message.objects.filter(channel="wecom", order=order).count() == 1
    assert services.scan_due_rules() == {}
    later = timezone.now() + dt.timedelta(minutes=16)
    assert services.scan_due_rules(now=later) == {rule.pk: 0}  # scanned again, deduped
    assert Message.objects.filter(channel="wecom").count() == 1


def test_an_order_in_production_is_not_reported(sales, customer_east, wecom, supervisor):
    MaterialFactory(code="MOLD-7", fulfilment="make")
    make_order(
        actor=sales, customer=customer_east, due_in_days=1, status="in_production",
        lines=[{"material": "MOLD-7", "quantity": "1", "unit_price": "1"}],
    )  # fmt: skip
    rule = Rule.objects.get(builtin_key="due_soon_not_started")
    assert services.scan_rule(rule) == []
    assert not Message.objects.exists()


def test_the_scan_job_is_registered():
    from zhongshu.core import jobs

    job = {j.name: j for j in jobs.registered()}["rules.scan"]
    assert job.seconds == 60 and job.func is services.scan_due_rules


def test_a_periodic_job_runs_what_a_refusal_left_pending_when_it_ends(
    sales, short_order, monkeypatch
):
    # given a background job (no request around it) that submits a short order
    from zhongshu.core import jobs

    # the worker reconnects around each job; here the test's own transaction must stay open
    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)

    def submit_short_order():
        with pytest.raises(RuleBlocked):
            order_transition(actor=sales, order_id=short_order.pk, action="submit")

    # when the worker runs it
    jobs.run(jobs.Job(name="test.submit", func=submit_short_order, seconds=60))

    # then the purchasing follow-up exists, and nothing is left pending in memory
    assert FollowUp.objects.filter(order=short_order, assignee_role="purchasing").count() == 1
    assert services.run_deferred() == 0
