"""Expediting released orders: a rush request (higher priority, earlier due date) from confirmed
up to awaiting QC, approved through the shipped manager flow, changes the order in the deciding
transaction, reflows the schedule and tells the requester the new projected finish and the owners
of the orders it pushed later. Outside those stages it is refused and nothing changes."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.approvals.conftest import make_flow, order_for, step
from tests.factories import default_line, give_routing, make_user
from zhongshu.approvals import impact, services
from zhongshu.approvals.exceptions import ChangeNotApplicable, WrongOrderStatus
from zhongshu.core.errors import ValidationFailed
from zhongshu.notify.models import Message
from zhongshu.orders.models import Order, OrderEvent
from zhongshu.orders.services import order_transition
from zhongshu.production.models import ProductionPlan
from zhongshu.production.services import projected_finishes

pytestmark = [pytest.mark.django_db, pytest.mark.shipped_flow]


@pytest.fixture
def line(world):
    """Shafts take two operations of 0.5 h + 0.1 h a piece on the one 16 h/day test line."""
    give_routing(world["make"], (default_line(), "0.5", "0.1", None),
                 (default_line(), "0.5", "0.1", None))  # fmt: skip
    world["sales2"] = make_user("sales", regions=("华东",), username="s.sales2")
    return world


def _orders(world, status, *, rushed_due=30, other_due=10):
    """The order to expedite (due in 30 days) and another order of 100 shafts due sooner, owned by
    another salesperson, which the schedule serves first as long as both are normal."""
    other = order_for({**world, "sales": world["sales2"]}, status="confirmed", bolts="1",
                      shafts="100", due=other_due)  # fmt: skip
    rushed = order_for(world, status=status, bolts="1", shafts="100", due=rushed_due)
    return rushed, other


def _rush(world, order, payload, reason="客户产线停线，要求提前"):
    return services.request_create(
        actor=world["sales"], order_id=order.pk, kind="rush", reason=reason, payload=payload
    )


def _state(order):
    order = Order.objects.get(pk=order.pk)
    return order.status, order.priority, order.due_date, order.version


def test_rush_at_confirmed_jumps_the_queue_and_tells_everyone_concerned(
    line, django_capture_on_commit_callbacks
):
    world = line
    with django_capture_on_commit_callbacks(execute=True):  # the reflows their confirming asks
        rushed, other = _orders(world, "confirmed")
    finish_other_before = projected_finishes()[other.pk]
    # when sales ask to make the order critical
    req = _rush(world, rushed, {"priority": "critical"})
    assert req.flow.builtin_key == "rush_manager" and req.payload == {"priority": "critical"}
    # then the request page's preview shows the order finishing sooner and the other one later
    preview = impact.preview(req, actor=world["manager"])
    assert preview.finish_after < preview.finish_before
    assert [p.number for p in preview.pushed] == [other.number]
    assert preview.pushed[0].finish_after > finish_other_before
    # and nothing has changed yet
    assert Order.objects.get(pk=rushed.pk).priority == "normal"

    # when the manager approves from WeCom
    with django_capture_on_commit_callbacks(execute=True):
        req = services.decide(
            actor=world["manager"], request_id=req.pk, verdict="approve", channel="wecom"
        )
    # then the order is critical, in the same transaction, with a timeline entry
    assert req.status == "approved" and req.applied_at is not None
    assert _state(rushed)[1] == "critical"
    event = OrderEvent.objects.filter(order=rushed, action="changed").get()
    assert event.data == {"before": {"priority": "normal"}, "after": {"priority": "critical"}}
    # and the schedule reflowed after commit: the stored plan puts the other order later
    plans = dict(ProductionPlan.objects.values_list("order_id", "projected_finish"))
    assert plans[other.pk] == preview.pushed[0].finish_after
    assert plans[rushed.pk] == preview.finish_after
    # and the requester hears the new projected finish and which order was pushed later
    told = Message.objects.get(recipient=world["sales"], dedupe_key=f"approval:{req.pk}:schedule")
    local = timezone.localtime(preview.finish_after).strftime("%Y-%m-%d %H:%M")
    assert local in told.subject and other.number in told.body
    # and the other order's owner hears about their order
    owner = Message.objects.get(recipient=world["sales2"], source="approvals")
    assert other.number in owner.subject and rushed.number in owner.body
    assert owner.link == f"/orders/{other.pk}/"


@pytest.mark.parametrize("status", ["confirmed", "scheduling", "in_production", "awaiting_qc"])
def test_rush_applies_at_every_open_stage(line, status):
    world = line
    rushed, _other = _orders(world, status)
    earlier = rushed.due_date - dt.timedelta(days=20)
    req = _rush(world, rushed, {"priority": "urgent", "due_date": earlier.isoformat()})
    req = services.decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    assert req.status == "approved"
    assert _state(rushed) == (status, "urgent", earlier, rushed.version + 1)
    assert Message.objects.filter(
        recipient=world["sales"], dedupe_key=f"approval:{req.pk}:schedule"
    ).exists()


def test_in_production_the_rushed_order_moves_ahead_of_a_confirmed_one(line):
    world = line
    rushed, other = _orders(world, "in_production")
    req = _rush(world, rushed, {"priority": "critical"})
    preview = impact.preview(req, actor=world["manager"])
    # its first operation is running; its second now goes before the other order's work
    assert preview.finish_after < preview.finish_before
    assert [p.number for p in preview.pushed] == [other.number]


@pytest.mark.parametrize("status", ["shipped", "completed", "cancelled"])
def test_rush_is_refused_once_the_order_has_left_production(world, status):
    order = order_for(world, status=status)
    before = _state(order)
    with pytest.raises(WrongOrderStatus):
        _rush(world, order, {"priority": "critical"})
    assert _state(order) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "payload"),
        ({"priority": "normal"}, "payload"),  # the same as now
        ({"priority": "fastest"}, "priority"),
        ({"due_date": "2099-01-01"}, "due_date"),  # later, not earlier
        ({"due_date": "2020-01-01"}, "due_date"),  # in the past
        ({"priority": "critical", "quantity": 5}, "payload"),  # a rush changes nothing else
    ],
)
def test_a_rush_must_raise_the_priority_or_bring_the_date_forward(world, payload, field):
    order = order_for(world, status="confirmed")
    with pytest.raises(ValidationFailed) as e:
        _rush(world, order, payload)
    assert field in str(e.value.details)
    assert not order.approval_requests.exists()


def test_a_rush_cannot_lower_the_priority(world):
    # a critical order is confirmed once the manager approved it (the shipped flow)
    order = order_for(world, status="pending_review", priority="critical")
    req = services.request_create(actor=world["sales"], order_id=order.pk, kind="rush",
                                  reason="特急")  # fmt: skip
    services.decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    order_transition(actor=world["planner"], order_id=order.pk, action="confirm")
    with pytest.raises(ValidationFailed) as e:
        _rush(world, order, {"priority": "urgent"})
    assert "priority" in str(e.value.details)


def test_approval_after_the_order_shipped_changes_nothing(world):
    from tests.factories import pass_inspection

    order = order_for(world, status="awaiting_qc")
    req = _rush(world, order, {"priority": "critical"})
    pass_inspection(order)
    order_transition(actor=world["admin"], order_id=order.pk, action="ship")
    before = _state(order)
    with pytest.raises(ChangeNotApplicable):
        services.decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    assert _state(order) == before
    req.refresh_from_db()
    assert (req.status, req.decisions.count()) == ("pending", 0)


def test_a_rejected_rush_leaves_the_order_alone(world):
    order = order_for(world, status="in_production")
    req = _rush(world, order, {"priority": "critical"})
    before = _state(order)
    with pytest.raises(ValidationFailed):  # a rejection needs its reason
        services.decide(actor=world["manager"], request_id=req.pk, verdict="reject")
    req = services.decide(actor=world["manager"], request_id=req.pk, verdict="reject",
                          comment="产能已满", channel="dingtalk")  # fmt: skip
    assert (req.status, req.decided_via) == ("rejected", "dingtalk")
    assert _state(order) == before


def test_design_change_in_production_may_carry_a_priority(line, django_capture_on_commit_callbacks):
    world = line
    make_flow(world["admin"], ["design_change"], [step("经理", role="manager")])
    with django_capture_on_commit_callbacks(execute=True):
        rushed, other = _orders(world, "in_production")
    req = services.request_create(
        actor=world["sales"], order_id=rushed.pk, kind="design_change", reason="改图并加急",
        payload={"priority": "critical", "drawing_revision": "C"},
    )  # fmt: skip
    preview = impact.preview(req, actor=world["manager"])
    assert [p.number for p in preview.pushed] == [other.number]
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    assert _state(rushed)[:2] == ("in_production", "critical")
    event = OrderEvent.objects.filter(order=rushed, action="changed").get()
    assert event.data["after"]["priority"] == "critical"
    assert Message.objects.filter(recipient=world["sales2"], source="approvals",
                                  link=f"/orders/{other.pk}/").exists()  # fmt: skip
    plan = ProductionPlan.objects.get(order=other)
    assert plan.projected_finish == preview.pushed[0].finish_after


def test_rush_through_the_api(line, api_as):
    world = line
    rushed, _other = _orders(world, "scheduling")
    r = api_as(world["sales"]).post(
        "/api/v1/approvals/requests",
        {"order_id": rushed.pk, "kind": "rush", "reason": "插单",
         "payload": {"priority": "urgent"}},
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    req_id = r.json()["id"]
    r = api_as(world["manager"]).post(
        f"/api/v1/approvals/requests/{req_id}/decide", {"verdict": "approve"}
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert (body["status"], body["decided_via"]) == ("approved", "api")
    assert body["steps"][0]["decisions"][0]["channel"] == "api"
    assert _state(rushed)[1] == "urgent"
    # a rush that lowers nothing and raises nothing is a 422 with the field named
    r = api_as(world["sales"]).post(
        "/api/v1/approvals/requests",
        {"order_id": rushed.pk, "kind": "rush", "reason": "再加急", "payload": {"priority": "normal"}},
    )  # fmt: skip
    assert r.status_code == 422


def test_rush_from_the_order_page(line, client_as):
    world = line
    rushed, _other = _orders(world, "in_production")
    sales = client_as(world["sales"])
    panel = sales.get(f"/orders/{rushed.pk}/").content.decode()
    assert f"/approvals/new/?order={rushed.pk}&amp;kind=rush" in panel
    page = sales.get(f"/approvals/new/?order={rushed.pk}&kind=rush")
    assert 'name="priority"' in page.content.decode()
    # a refusal on the form: a later due date is not a rush (422, nothing filed)
    r = sales.post(f"/approvals/new/?order={rushed.pk}", {
        "order": rushed.pk, "kind": "rush", "reason": "x", "due_date": "2099-12-31",
    })  # fmt: skip
    assert r.status_code == 422 and not rushed.approval_requests.exists()
    earlier = (rushed.due_date - dt.timedelta(days=5)).isoformat()
    r = sales.post(f"/approvals/new/?order={rushed.pk}", {
        "order": rushed.pk, "kind": "rush", "reason": "客户催货",
        "priority": "critical", "due_date": earlier,
    })  # fmt: skip
    assert r.status_code == 302
    req = rushed.approval_requests.get()
    assert req.payload == {"priority": "critical", "due_date": earlier}
    # the manager's page shows before → after and the schedule impact
    page = client_as(world["manager"]).get(req.link).content.decode()
    assert 'id="impact"' in page and 'data-finish="after"' in page
    assert "特急" in page and earlier in page


def test_editing_a_released_order_points_to_the_rush_request(world, api_as):
    order = order_for(world, status="in_production")
    r = api_as(world["sales"]).patch(
        f"/api/v1/orders/{order.pk}", {"priority": "critical", "version": order.version}
    )
    assert r.status_code == 409
    assert r.json()["code"] == "order_not_editable" and "加急" in r.json()["message"]
    assert _state(order)[1] == "normal"
