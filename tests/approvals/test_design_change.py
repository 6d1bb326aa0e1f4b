"""Design changes and cancellations of released orders: applied in one transaction when
approved (order, reservation, task sheets, timeline, audit, notifications); nothing when not."""

from decimal import Decimal

import pytest

from tests.approvals.conftest import make_flow, order_for, step
from zhongshu.approvals import services
from zhongshu.approvals.exceptions import ChangeNotApplicable, WrongOrderStatus
from zhongshu.core.errors import ValidationFailed
from zhongshu.inventory.exceptions import InsufficientStock
from zhongshu.inventory.models import Reservation, StockLevel
from zhongshu.notify.models import Message
from zhongshu.orders.models import Order, OrderEvent
from zhongshu.production.models import Task, TaskSheet

pytestmark = pytest.mark.django_db

CHANGE = {
    "due_date": None,
    "lines": [{"line_no": 1, "quantity": "30"}, {"line_no": 2, "quantity": "6"}],
    "drawing_revision": "B",
}


def _held(order):
    return sum(r.quantity for r in Reservation.objects.filter(order=order, status="active"))


def _snapshot(order):
    order = Order.objects.get(pk=order.pk)
    return (
        order.version, order.total_amount, order.due_date,
        list(order.lines.values_list("line_no", "quantity")),
        _held(order),
        list(Task.objects.filter(order=order).values_list("estimated_hours", "status", "note")),
        list(TaskSheet.objects.filter(order=order).values_list("quantity", flat=True)),
        OrderEvent.objects.filter(order=order).count(),
        order.history.count(),
    )  # fmt: skip


@pytest.fixture
def confirmed(world):
    order = order_for(world, status="confirmed", bolts="10", shafts="4")
    make_flow(world["admin"], ["design_change"], [step("经理", role="manager")])
    return order


def test_approved_design_change_is_applied_with_reservation_and_tasks(world, confirmed):
    order = confirmed
    task = Task.objects.get(order=order)
    assert (_held(order), task.estimated_hours) == (10, Decimal("0.9"))  # 0.5 + 4 × 0.1
    history_before = order.history.count()
    # when sales ask for 30 bolts, 6 shafts and drawing revision B, and a manager approves
    req = services.request_create(
        actor=world["sales"], order_id=order.pk, kind="design_change",
        reason="客户改图", payload=CHANGE,
    )  # fmt: skip
    assert req.before["lines"][0]["quantity"] == "10.000"
    req = services.request_decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    # then the order, its reservation and its tasks follow
    order.refresh_from_db()
    assert req.status == "approved" and req.applied_at is not None
    assert list(order.lines.values_list("quantity", flat=True)) == [30, 6]
    assert _held(order) == 30
    level = StockLevel.objects.get(material=world["stock"])
    assert (level.on_hand, level.reserved) == (100, 30)
    task.refresh_from_db()
    assert task.estimated_hours == Decimal("1.1")  # 0.5 + 6 × 0.1
    assert "B" in task.note
    assert TaskSheet.objects.get(order=order).quantity == 6
    # and the timeline, the audit trail and the people concerned know
    event = OrderEvent.objects.filter(order=order, action="changed").get()
    assert event.data["after"]["line 1"] == {"quantity": "30.000"}
    assert event.actor == world["manager"]
    assert order.history.count() > history_before
    assert Message.objects.filter(recipient=world["planner"], link=req.link).exists()


def test_rejected_design_change_changes_nothing(world, confirmed):
    before = _snapshot(confirmed)
    req = services.request_create(
        actor=world["sales"], order_id=confirmed.pk, kind="design_change",
        reason="客户改图", payload=CHANGE,
    )  # fmt: skip
    services.request_decide(
        actor=world["manager"], request_id=req.pk, verdict="reject", comment="不行"
    )
    assert _snapshot(confirmed) == before


def test_a_change_that_cannot_be_reserved_rolls_the_approval_back(world, confirmed):
    req = services.request_create(
        actor=world["sales"], order_id=confirmed.pk, kind="design_change", reason="加量",
        payload={"lines": [{"line_no": 1, "quantity": "500"}]},
    )  # fmt: skip
    before = _snapshot(confirmed)
    with pytest.raises(InsufficientStock):
        services.request_decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    req.refresh_from_db()
    assert req.status == "pending" and not req.decisions.exists()
    assert _snapshot(confirmed) == before


def test_removing_a_line_with_work_started_is_refused_and_changes_nothing(world, confirmed):
    # given the shaft line's first task has started on the floor
    Task.objects.filter(order=confirmed).update(status="in_progress")
    req = services.request_create(
        actor=world["sales"], order_id=confirmed.pk, kind="design_change", reason="去掉轴",
        payload={"lines": [{"line_no": 2, "remove": True}]},
    )  # fmt: skip
    before = _snapshot(confirmed)
    # when the manager approves / then the change is refused and the approval rolled back
    with pytest.raises(ChangeNotApplicable):
        services.request_decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    req.refresh_from_db()
    assert req.status == "pending" and not req.decisions.exists()
    assert _snapshot(confirmed) == before


def test_removing_a_stock_line_releases_its_reservation(world, confirmed):
    req = services.request_create(
        actor=world["sales"], order_id=confirmed.pk, kind="design_change", reason="不要螺栓",
        payload={"lines": [{"line_no": 1, "remove": True}]},
    )  # fmt: skip
    services.request_decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    assert list(confirmed.lines.values_list("line_no", flat=True)) == [2]
    assert _held(confirmed) == 0
    assert StockLevel.objects.get(material=world["stock"]).reserved == 0


def test_the_change_runs_through_the_order_hooks():
    from zhongshu.orders import hooks

    table = hooks.registered()
    assert "zhongshu.approvals.hooks.started_work_blocks_line_removal" in table["guard"]["changed"]
    assert table["effect"]["changed"] == [
        "zhongshu.approvals.hooks.reservations_follow_change",
        "zhongshu.approvals.hooks.task_sheets_follow_change",
        "zhongshu.approvals.hooks.schedule_follows_priority",
    ]
    assert table["effect"]["expedited"] == ["zhongshu.approvals.hooks.schedule_follows_priority"]


def test_new_make_line_gets_its_task_sheet(world, confirmed):
    req = services.request_create(
        actor=world["sales"], order_id=confirmed.pk, kind="design_change", reason="加一行",
        payload={"lines": [{"material": "M-SHAFT", "quantity": "2"}]},
    )  # fmt: skip
    services.request_decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    assert TaskSheet.objects.filter(order=confirmed).count() == 2
    assert confirmed.lines.count() == 3


def test_design_change_needs_a_released_order_and_a_real_change(world):
    make_flow(world["admin"], ["design_change"], [step("经理", role="manager")])
    draft = order_for(world)
    with pytest.raises(WrongOrderStatus):
        services.request_create(actor=world["sales"], order_id=draft.pk, kind="design_change",
                                reason="x", payload=CHANGE)  # fmt: skip
    confirmed = order_for(world, status="confirmed")
    with pytest.raises(ValidationFailed) as exc:
        services.request_create(
            actor=world["sales"], order_id=confirmed.pk, kind="design_change", reason="x",
            payload={"lines": [{"line_no": 9, "quantity": "-1"}]},
        )  # fmt: skip
    assert exc.value.errors[0]["field"] == "lines[0].line_no"


def test_cancellation_after_confirm_runs_the_cancel_transition(world, confirmed):
    make_flow(world["admin"], ["cancel_after_confirm"], [step("经理", role="manager")])
    req = services.request_create(
        actor=world["sales"], order_id=confirmed.pk, kind="cancel_after_confirm", reason="客户撤单"
    )
    confirmed.refresh_from_db()
    assert confirmed.status == "confirmed"
    services.request_decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    confirmed.refresh_from_db()
    assert confirmed.status == "cancelled"
    assert _held(confirmed) == 0
    assert not Task.objects.filter(order=confirmed, status__in=("pending", "in_progress")).exists()
