"""Flows walked by requests: ordered steps, any/all, conditions, escalation, delegation, and the
refusals that must leave everything as it was."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.approvals.conftest import later, make_flow, order_for, step
from tests.factories import make_user
from zhongshu.approvals import selectors, services
from zhongshu.approvals.exceptions import (
    AlreadyDecided,
    ApprovalRequired,
    NotPending,
    NotYourTurn,
)
from zhongshu.approvals.models import Decision, Request, RequestStep
from zhongshu.core.errors import ValidationFailed
from zhongshu.notify.models import Message
from zhongshu.orders.services import order_transition

pytestmark = pytest.mark.django_db


def _rush(world, **kw):
    order = order_for(world, status="pending_review", priority="urgent", **kw)
    return order, services.request_create(
        actor=world["sales"], order_id=order.pk, kind="rush", reason="客户停线"
    )


def test_two_steps_in_order_planner_then_manager(world):
    # given a rush flow: planner, then manager
    make_flow(
        world["admin"], ["rush"], [step("计划", role="planner"), step("经理", role="manager")]
    )
    _order, req = _rush(world)
    # then only the planner is asked first, and the notification links to the request
    assert selectors.waiting_count(world["planner"]) == 1
    assert selectors.waiting_count(world["manager"]) == 0
    msg = Message.objects.get(recipient=world["planner"], source="approvals")
    assert msg.link == f"/approvals/{req.pk}/?via=inbox"
    # when a manager tries to decide out of turn / then refused
    with pytest.raises(NotYourTurn):
        services.request_decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    # when the planner approves, the manager is asked; when the manager approves, done
    services.request_decide(actor=world["planner"], request_id=req.pk, verdict="approve")
    assert selectors.waiting_count(world["manager"]) == 1
    req = services.request_decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    assert req.status == "approved" and req.decided_at is not None
    steps = list(req.steps.order_by("position"))
    assert [s.status for s in steps] == ["approved", "approved"]
    assert all(s.activated_at and s.decided_at for s in steps)


def test_any_one_versus_all_must(world):
    # given a step every manager must approve
    make_flow(world["admin"], ["rush"], [step("经理会签", role="manager", mode="all")])
    _order, req = _rush(world)
    # when one manager approves / then the request still waits for the other
    services.request_decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    req.refresh_from_db()
    assert req.status == "pending"
    assert selectors.waiting_count(world["manager"]) == 0
    assert selectors.waiting_count(world["manager2"]) == 1
    # when the second approves / then it is approved
    services.request_decide(actor=world["manager2"], request_id=req.pk, verdict="approve")
    req.refresh_from_db()
    assert req.status == "approved"


def test_any_one_manager_is_enough(world):
    make_flow(world["admin"], ["rush"], [step("经理", role="manager", mode="any")])
    _order, req = _rush(world)
    services.request_decide(actor=world["manager2"], request_id=req.pk, verdict="approve")
    req.refresh_from_db()
    assert req.status == "approved"
    assert selectors.waiting_count(world["manager"]) == 0


def test_condition_adds_the_manager_only_above_the_amount(world):
    # given planner always, manager only when amount > 50,000
    make_flow(world["admin"], ["rush"], [
        step("计划", role="planner"),
        step("经理", role="manager", when="only_if",
             condition={"field": "amount", "op": "gt", "value": "50000"}),
    ])  # fmt: skip
    # when a small order asks / then one step only
    _small, req_small = _rush(world, shafts="4")
    assert list(req_small.steps.values_list("name", flat=True)) == ["计划"]
    # when a big order (1000 × 100 × 1.13) asks / then two steps
    big = order_for(world, status="pending_review", priority="urgent", shafts="1000")
    req_big = services.request_create(
        actor=world["sales"], order_id=big.pk, kind="rush", reason="大单"
    )
    assert list(req_big.steps.values_list("name", flat=True)) == ["计划", "经理"]


def test_skip_if_condition_skips_the_step(world):
    make_flow(world["admin"], ["rush"], [
        step("计划", role="planner", when="skip_if",
             condition={"field": "priority", "op": "eq", "value": "urgent"}),
        step("经理", role="manager"),
    ])  # fmt: skip
    _order, req = _rush(world)
    assert list(req.steps.values_list("name", flat=True)) == ["经理"]


def test_time_limit_escalates_to_the_deputy(world):
    # given a manager step with a 4 hour limit and the finance person as deputy
    make_flow(world["admin"], ["rush"], [
        step("经理", users=["m.manager"], time_limit_hours=4, deputy_user="f.finance"),
    ])  # fmt: skip
    _order, req = _rush(world)
    # when the job runs before the limit / then nothing happens
    assert services.escalate_overdue(now=later(3)) == 0
    assert selectors.waiting_count(world["finance"]) == 0
    # when it runs after the limit / then the deputy is asked and told, once
    assert services.escalate_overdue(now=later(5)) == 1
    assert services.escalate_overdue(now=later(6)) == 0
    assert selectors.waiting_count(world["finance"]) == 1
    assert (
        Message.objects.filter(recipient=world["finance"], link=f"{req.link}?via=inbox").count()
        == 1
    )
    # and the deputy's approval decides the step
    req = services.request_decide(actor=world["finance"], request_id=req.pk, verdict="approve")
    assert req.status == "approved"


def test_delegate_decides_while_the_approver_is_away(world):
    make_flow(world["admin"], ["rush"], [step("经理", users=["m.manager"])])
    stand_in = make_user("planner", username="p.standin")
    # given the manager delegated to a planner for this week
    services.delegation_create(
        actor=world["manager"], to_user="p.standin",
        starts_at=timezone.now() - dt.timedelta(hours=1), ends_at=later(24 * 7),
    )  # fmt: skip
    _order, req = _rush(world)
    # then the stand-in sees it waiting and may decide on the manager's behalf
    assert selectors.waiting_count(stand_in) == 1
    req = services.request_decide(actor=stand_in, request_id=req.pk, verdict="approve",
                                  comment="代批")  # fmt: skip
    d = Decision.objects.get(request=req)
    assert (d.user, d.on_behalf_of) == (stand_in, world["manager"])
    assert req.status == "approved"


def test_expired_delegation_gives_nothing(world):
    make_flow(world["admin"], ["rush"], [step("经理", users=["m.manager"])])
    stand_in = make_user("planner", username="p.standin")
    services.delegation_create(
        actor=world["manager"], to_user="p.standin",
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=1),
    )  # fmt: skip
    _order, req = _rush(world)
    assert selectors.waiting_count(stand_in) == 0
    with pytest.raises(NotYourTurn):
        services.request_decide(actor=stand_in, request_id=req.pk, verdict="approve")


def _state(req):
    req = Request.objects.get(pk=req.pk)
    return (
        req.status, req.version, req.decided_at, Decision.objects.count(),
        list(RequestStep.objects.values_list("status", flat=True).order_by("id")),
    )  # fmt: skip


def test_approving_twice_is_refused_and_changes_nothing(world):
    make_flow(world["admin"], ["rush"], [step("经理会签", role="manager", mode="all")])
    _order, req = _rush(world)
    services.request_decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    before = _state(req)
    with pytest.raises(AlreadyDecided):
        services.request_decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    assert _state(req) == before
    # and once approved, a further approval is refused too
    services.request_decide(actor=world["manager2"], request_id=req.pk, verdict="approve")
    done = _state(req)
    with pytest.raises(NotPending):
        services.request_decide(actor=world["manager2"], request_id=req.pk, verdict="approve")
    assert _state(req) == done


def test_approving_a_withdrawn_request_is_refused(world):
    make_flow(world["admin"], ["rush"], [step("经理", role="manager")])
    _order, req = _rush(world)
    services.request_withdraw(actor=world["sales"], request_id=req.pk)
    before = _state(req)
    with pytest.raises(NotPending):
        services.request_decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    assert _state(req) == before == ("withdrawn", 2, before[2], 0, ["closed"])


def test_reject_needs_a_comment_and_closes_the_request(world):
    make_flow(
        world["admin"], ["rush"], [step("计划", role="planner"), step("经理", role="manager")]
    )
    _order, req = _rush(world)
    with pytest.raises(ValidationFailed):
        services.request_decide(actor=world["planner"], request_id=req.pk, verdict="reject")
    req = services.request_decide(
        actor=world["planner"], request_id=req.pk, verdict="reject", comment="产能不够"
    )
    assert req.status == "rejected"
    assert list(req.steps.values_list("status", flat=True)) == ["rejected", "closed"]
    assert Message.objects.filter(recipient=world["sales"], link=req.link).exists()


def test_rush_order_cannot_be_confirmed_without_an_approved_request(world):
    # given an active rush flow and an urgent order pending review
    make_flow(world["admin"], ["rush"], [step("经理", role="manager")])
    order = order_for(world, status="pending_review", priority="urgent")
    # when the planner confirms / then refused with approval_required, order unchanged
    with pytest.raises(ApprovalRequired) as exc:
        order_transition(actor=world["planner"], order_id=order.pk, action="confirm")
    assert exc.value.code == "approval_required"
    assert exc.value.details["kinds"] == ["rush"]
    assert "/approvals/new/" in str(exc.value.message)
    order.refresh_from_db()
    assert order.status == "pending_review"
    # when the rush request is approved / then the confirmation goes through
    req = services.request_create(actor=world["sales"], order_id=order.pk, kind="rush", reason="急")
    services.request_decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    order = order_transition(actor=world["planner"], order_id=order.pk, action="confirm")
    assert order.status == "confirmed"


def test_due_sooner_than_lead_time_is_a_rush(world):
    # given a normal-priority order of 400 shafts at 0.1 h each on a 16 h/day line: 3 days
    make_flow(world["admin"], ["rush"], [step("经理", role="manager")])
    from zhongshu.approvals.requirements import lead_time_days, rush_reason

    order = order_for(world, status="pending_review", shafts="400", due=2)
    assert lead_time_days(order) == 3
    assert rush_reason(order)
    with pytest.raises(ApprovalRequired):
        order_transition(actor=world["planner"], order_id=order.pk, action="confirm")
    # and with time enough it is not
    relaxed = order_for(world, status="pending_review", shafts="400", due=10)
    assert rush_reason(relaxed) is None


def test_without_a_rush_flow_nothing_is_required(world):
    order = order_for(world, status="pending_review", priority="critical")
    order = order_transition(actor=world["planner"], order_id=order.pk, action="confirm")
    assert order.status == "confirmed"


def test_other_apps_register_requirements(world):
    # given a kind registered by another app (credit) and a flow covering it
    from zhongshu.approvals import requirements

    make_flow(world["admin"], ["credit"], [step("财务", role="finance")])
    saved = requirements.registered()
    requirements.register(
        "credit", "Credit", lambda o: "over limit" if o.customer.code == "C-AP" else None
    )
    try:
        order = order_for(world, status="pending_review")
        with pytest.raises(ApprovalRequired) as exc:
            order_transition(actor=world["planner"], order_id=order.pk, action="confirm")
        assert exc.value.details == {
            "kinds": ["credit"], "reasons": ["over limit"],
            "request_url": f"/approvals/new/?order={order.pk}&kind=credit",
        }  # fmt: skip
    finally:
        requirements._registry.clear()
        requirements._registry.update(saved)


def test_approval_time_is_recorded_per_request_and_per_step(world):
    make_flow(
        world["admin"], ["rush"], [step("计划", role="planner"), step("经理", role="manager")]
    )
    t0 = timezone.now()
    order = order_for(world, status="pending_review", priority="urgent")
    req = services.request_create(
        actor=world["sales"], order_id=order.pk, kind="rush", reason="客户停线", now=t0
    )
    # the planner decides after 30 minutes, the manager an hour later
    services.request_decide(
        actor=world["planner"], request_id=req.pk, verdict="approve",
        now=t0 + dt.timedelta(minutes=30),
    )  # fmt: skip
    req = services.request_decide(
        actor=world["manager"], request_id=req.pk, verdict="approve",
        now=t0 + dt.timedelta(minutes=90),
    )  # fmt: skip
    assert req.minutes_to_decide == 90
    assert [s.minutes_to_decide for s in req.steps.order_by("position")] == [30, 60]


def test_escalation_runs_as_a_registered_periodic_job(world):
    from zhongshu.core import jobs

    job = next(j for j in jobs.registered() if j.name == "approvals.escalate")
    assert job.seconds <= 300
    make_flow(world["admin"], ["rush"], [
        step("经理", users=["m.manager"], time_limit_hours=2, deputy_role="finance"),
    ])  # fmt: skip
    _order, req = _rush(world)
    assert job.func() == 0  # within the limit
    RequestStep.objects.filter(request=req).update(due_at=later(-1))
    assert job.func() == 1
    assert selectors.waiting_count(world["finance"]) == 1
    # the original approver may still decide too
    assert selectors.waiting_count(world["manager"]) == 1


def test_dashboard_counts_what_waits_for_me(world):
    from zhongshu.analytics import sources

    make_flow(world["admin"], ["rush"], [step("经理", role="manager")])
    _rush(world)
    assert sources.awaiting_approval(world["manager"]) == 1
    assert sources.awaiting_approval(world["planner"]) == 0


def test_chat_robots_carry_the_link_to_the_request(world):
    from zhongshu.notify.models import Robot

    Robot.objects.create(kind="wecom", name="审批群", webhook_url="http://127.0.0.1:9/hook")
    make_flow(world["admin"], ["rush"], [step("经理", role="manager")])
    _order, req = _rush(world)
    robot = Message.objects.get(channel="wecom", source="approvals")
    assert req.link in robot.link
    assert Message.objects.filter(
        recipient=world["manager"], channel="inapp", link=f"{req.link}?via=inbox"
    )
