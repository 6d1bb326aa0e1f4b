"""Confirming, cancelling and hand-moving orders drive the task sheets (SPEC §3, §5)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import MaterialFactory, make_order, make_warehouse, put_stock
from zhongshu.core.errors import DomainError
from zhongshu.orders import hooks
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_transition
from zhongshu.production.models import ProductionPlan, Task, TaskSheet


@pytest.fixture
def pending(sales_east, customer_east, shaft):
    return make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": shaft.code, "quantity": "10", "unit_price": "100"}],
        status="pending_review",
    )


def test_confirm_creates_one_sheet_per_make_line_with_estimated_hours(
    pending, planner, operator, django_capture_on_commit_callbacks
):
    # when the planner confirms an order for 10 shafts
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(actor=planner, order_id=pending.pk, action="confirm")
    # then one task sheet with the routing's two operations, hours = setup + qty × run
    (sheet,) = TaskSheet.objects.filter(order=pending)
    assert (sheet.number, sheet.quantity, sheet.status) == (f"{pending.number}-1", 10, "open")
    tasks = list(sheet.tasks.order_by("sequence"))
    assert [(t.work_center.code, t.estimated_hours, t.owner, t.status) for t in tasks] == [
        ("TURN", Decimal("6.000"), operator, "pending"),
        ("ASSY", Decimal("1.500"), operator, "pending"),
    ]
    # and the schedule reflowed after the commit: planned dates and an order plan exist
    assert all(t.planned_start and t.planned_finish for t in Task.objects.filter(order=pending))
    plan = ProductionPlan.objects.get(order=pending)
    assert plan.projected_finish == Task.objects.get(order=pending, sequence=20).planned_finish
    assert plan.at_risk is False


def test_confirm_without_routing_is_refused_and_nothing_changes(
    sales_east, customer_east, planner, shaft
):
    # given an order with one routed and two unrouted make products and a stock line
    bare = MaterialFactory(code="BARE-1", fulfilment="make", routing=False)
    bare2 = MaterialFactory(code="BARE-2", fulfilment="make", routing=False)
    stock = MaterialFactory(code="STOCK-1")
    make_warehouse()
    put_stock(stock, 10)
    lines = [
        {"material": m.code, "quantity": "1", "unit_price": "1"}
        for m in (shaft, bare2, bare, stock)
    ]
    order = make_order(
        actor=sales_east, customer=customer_east, lines=lines, status="pending_review"
    )
    # when the planner confirms
    with pytest.raises(DomainError) as exc:
        order_transition(actor=planner, order_id=order.pk, action="confirm")
    # then a clear refusal naming every product without a routing
    assert exc.value.code == "routing_missing"
    assert exc.value.http_status == 409
    assert exc.value.details == {"materials": ["BARE-1", "BARE-2"]}
    assert "BARE-1, BARE-2" in str(exc.value.message)
    # and nothing changed
    order.refresh_from_db()
    assert order.status == "pending_review"
    assert not TaskSheet.objects.exists()
    assert not Task.objects.exists()


def test_cancel_cancels_open_tasks(pending, planner, django_capture_on_commit_callbacks):
    order_transition(actor=planner, order_id=pending.pk, action="confirm")
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(actor=planner, order_id=pending.pk, action="cancel", note="客户取消")
    assert set(Task.objects.filter(order=pending).values_list("status", flat=True)) == {"cancelled"}
    assert TaskSheet.objects.get(order=pending).status == "cancelled"
    assert not ProductionPlan.objects.filter(order=pending).exists()


def test_stock_only_orders_get_no_sheet(sales_east, customer_east, planner):
    stock = MaterialFactory(code="STOCK-2")
    make_warehouse()
    put_stock(stock, 10)
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": stock.code, "quantity": "1", "unit_price": "1"}],
        status="confirmed",
    )
    assert order.status == "confirmed"
    assert not TaskSheet.objects.exists()


def test_manual_start_and_finish_by_the_supervisor_move_the_tasks(pending, planner, supervisor):
    # given a confirmed order
    order_transition(actor=planner, order_id=pending.pk, action="confirm")
    # when the supervisor starts production by hand: the first operation is running
    order_transition(actor=supervisor, order_id=pending.pk, action="start")
    assert list(Task.objects.filter(order=pending).values_list("status", flat=True)) == [
        "in_progress",
        "pending",
    ]
    # when the supervisor finishes production by hand: everything open is recorded as done
    order_transition(actor=supervisor, order_id=pending.pk, action="finish")
    assert set(Task.objects.filter(order=pending).values_list("status", flat=True)) == {"done"}
    assert Order.objects.get(pk=pending.pk).status == "awaiting_qc"


def test_an_order_change_reflows_the_schedule(pending, planner, django_capture_on_commit_callbacks):
    # given a confirmed order comfortably on time
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(actor=planner, order_id=pending.pk, action="confirm")
    assert ProductionPlan.objects.get(order=pending).at_risk is False
    # when its due date moves before any work can be done and the "updated" hooks run
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Order.objects.filter(pk=pending.pk).update(due_date=yesterday, priority="critical")
    pending.refresh_from_db()
    ctx = hooks.TransitionContext(
        actor=planner, order=pending, action="updated", from_status="confirmed",
        to_status="confirmed",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        hooks.run_after_commit(ctx)
    # then the schedule was recomputed and the order is flagged at risk
    assert ProductionPlan.objects.get(order=pending).at_risk is True
