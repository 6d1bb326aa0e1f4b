"""The approval flow a fresh install ships (installed by the migration zs approvals 0002): urgent and
critical orders wait for a manager's approval before they are confirmed; the flow is active,
editable and can be switched off. Decisions record where they were made and the minutes from
request to decision, which the effect report sums and averages."""

import datetime as dt

import pytest

from tests.approvals.conftest import order_for
from tests.factories import make_user
from zhongshu.analytics import effect
from zhongshu.approvals import services
from zhongshu.approvals.defaults import RUSH_FLOW_KEY
from zhongshu.approvals.exceptions import ApprovalRequired
from zhongshu.approvals.models import Flow
from zhongshu.core.errors import ValidationFailed
from zhongshu.orders.services import order_transition

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def test_a_fresh_install_has_the_manager_flow_for_rush_orders(db):
    # written by the migration (this unmarked test's fixture only switches it off)
    flow = Flow.objects.get(builtin_key=RUSH_FLOW_KEY)
    assert flow.kinds == ["rush"]
    assert [(s.name, s.role, s.time_limit_hours, s.deputy_role) for s in flow.steps.all()] == [
        ("经理审批", "manager", 4, "admin")
    ]
    assert flow.active is False  # tests not marked shipped_flow run without it


@pytest.mark.shipped_flow
def test_marked_tests_get_it_active(db):
    assert Flow.objects.get(builtin_key=RUSH_FLOW_KEY).active is True


@pytest.mark.shipped_flow
@pytest.mark.parametrize("priority", ["urgent", "critical"])
def test_urgent_orders_confirm_only_after_a_manager_approves(world, priority):
    order = order_for(world, status="pending_review", priority=priority)
    with pytest.raises(ApprovalRequired) as e:
        order_transition(actor=world["planner"], order_id=order.pk, action="confirm")
    assert e.value.details["kinds"] == ["rush"]
    req = services.request_create(
        actor=world["sales"], order_id=order.pk, kind="rush", reason="客户停线"
    )
    assert req.flow.builtin_key == RUSH_FLOW_KEY
    services.decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    order = order_transition(actor=world["planner"], order_id=order.pk, action="confirm")
    assert order.status == "confirmed"


@pytest.mark.shipped_flow
def test_the_flow_page_saves_the_shipped_flow_as_it_is(world, client_as):
    flow = Flow.objects.get(builtin_key=RUSH_FLOW_KEY)
    admin = client_as(world["admin"])
    page = admin.get(f"/approvals/flows/{flow.pk}/").content.decode()
    assert "经理审批" in page
    r = admin.post(f"/approvals/flows/{flow.pk}/", {
        "name": flow.name, "kinds": ["rush"], "active": "1", "version": flow.version,
        "s0-name": "经理审批", "s0-role": "manager", "s0-mode": "any", "s0-when": "always",
        "s0-limit": "4", "s0-deputy_role": "admin",
    })  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:1000]
    flow.refresh_from_db()
    assert (flow.active, flow.version) == (True, 2)


@pytest.mark.shipped_flow
def test_a_normal_order_with_time_to_spare_needs_no_approval(world):
    order = order_for(world, status="confirmed", priority="normal", due=30)
    assert order.status == "confirmed"


@pytest.mark.shipped_flow
def test_the_shipped_flow_is_editable_and_can_be_switched_off(world):
    flow = Flow.objects.get(builtin_key=RUSH_FLOW_KEY)
    services.flow_update(
        actor=world["admin"], flow_id=flow.pk, version=flow.version,
        data={"name": flow.name, "kinds": ["rush"], "active": False,
              "steps": [{"name": "总经理", "role": "manager"}]},
    )  # fmt: skip
    flow.refresh_from_db()
    assert (flow.active, flow.builtin_key, flow.steps.get().name) == (
        False,
        RUSH_FLOW_KEY,
        "总经理",
    )
    order = order_for(world, status="confirmed", priority="urgent")  # nothing to wait for
    assert order.status == "confirmed"


@pytest.mark.shipped_flow
def test_minutes_from_request_to_decision_in_the_test_clock(world):
    """Two rushes decided 47 and 13 minutes after they were asked (the clock passed in), one
    withdrawn: recorded per request and per decision, summed and averaged on the effect report."""
    boss = make_user("admin", username="boss")
    minutes = []
    for offset, delay, channel in [(0, 47, "wecom"), (60, 13, "feishu")]:
        asked = T0 + dt.timedelta(minutes=offset)
        order = order_for(world, status="pending_review", priority="urgent")
        req = services.request_create(actor=world["sales"], order_id=order.pk, kind="rush",
                                      reason="急", now=asked)  # fmt: skip
        req = services.decide(actor=world["manager"], request_id=req.pk, verdict="approve",
                              channel=channel, now=asked + dt.timedelta(minutes=delay))  # fmt: skip
        decision = req.decisions.get()
        assert (decision.channel, decision.minutes) == (channel, delay)
        assert (req.decision_minutes, req.decided_via) == (delay, channel)
        minutes.append(req.decision_minutes)
    withdrawn = services.request_create(
        actor=world["sales"], order_id=order_for(world, status="pending_review",
                                                 priority="critical").pk,
        kind="rush", reason="撤回", now=T0,
    )  # fmt: skip
    services.request_withdraw(actor=world["sales"], request_id=withdrawn.pk)
    figures = effect.period_figures(
        actor=boss, period=effect.Period(T0.date(), T0.date()), today=T0.date()
    )
    assert (figures["approvals"], figures["approval_minutes_total"]) == (2, 60)
    assert (figures["approval_minutes_avg"], figures["approval_hours_avg"]) == (30.0, 0.5)


@pytest.mark.shipped_flow
def test_an_unknown_channel_is_refused_and_nothing_is_decided(world):
    order = order_for(world, status="pending_review", priority="urgent")
    req = services.request_create(actor=world["sales"], order_id=order.pk, kind="rush", reason="急")
    with pytest.raises(ValidationFailed) as e:
        services.decide(actor=world["manager"], request_id=req.pk, verdict="approve",
                        channel="telegram")  # fmt: skip
    assert [x["field"] for x in e.value.details["errors"]] == ["channel"]
    req.refresh_from_db()
    assert (req.status, req.decisions.count()) == ("pending", 0)


@pytest.mark.shipped_flow
def test_the_page_records_the_channel_the_link_came_from(world, client_as):
    order = order_for(world, status="pending_review", priority="urgent")
    req = services.request_create(actor=world["sales"], order_id=order.pk, kind="rush", reason="急")
    manager = client_as(world["manager"])
    page = manager.get(f"{req.link}?via=dingtalk").content.decode()
    assert 'name="channel" value="dingtalk"' in page
    # an unknown or API channel from a page counts as the web
    assert 'name="channel" value="web"' in manager.get(f"{req.link}?via=api").content.decode()
    r = manager.post(f"/approvals/{req.pk}/decide/",
                     {"verdict": "approve", "channel": "dingtalk", "version": req.version})  # fmt: skip
    assert r.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.decided_via, req.decisions.get().channel) == (
        "approved", "dingtalk", "dingtalk",
    )  # fmt: skip


def test_the_demo_files_and_approves_what_urgent_orders_need(world):
    from zhongshu.approvals import demo
    from zhongshu.core.demo import new_context

    Flow.objects.filter(builtin_key=RUSH_FLOW_KEY).update(active=True)  # as a fresh install
    ctx = new_context()
    ctx.users = {"manager": world["manager"]}
    demo.seed(ctx)
    assert ctx["before_transition"]["confirm"] == [demo.approve_before_confirm]
    order = order_for(world, status="pending_review", priority="critical")
    demo.approve_before_confirm(ctx, order)
    req = order.approval_requests.get()
    assert req.status == "approved" and 5 <= req.decision_minutes <= 75
    assert order_transition(actor=world["planner"], order_id=order.pk, action="confirm").status == (
        "confirmed"
    )
