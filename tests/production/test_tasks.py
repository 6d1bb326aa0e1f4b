"""The floor: operators start and finish their tasks; the order follows (SPEC §3, §5)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import MaterialFactory, give_routing, make_order, make_user
from zhongshu.core.errors import DomainError, NotFound, PermissionDenied
from zhongshu.core.signals import user_activity
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_transition
from zhongshu.production import selectors, services
from zhongshu.production.models import ProductionPlan, Task, WorkCenter


@pytest.fixture
def order(sales_east, customer_east, shaft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the confirmation commits
        return make_order(
            actor=sales_east,
            customer=customer_east,
            lines=[{"material": shaft.code, "quantity": "10", "unit_price": "100"}],
            status="confirmed",
        )


def tasks_of(order):
    return list(Task.objects.filter(order=order).order_by("sheet_id", "sequence"))


def test_first_start_moves_the_order_to_production_and_last_finish_to_qc(
    order, operator, django_capture_on_commit_callbacks
):
    turn, assy = tasks_of(order)
    seen = []

    def listener(sender, user, kind, **kw):
        seen.append((user.username, kind))

    user_activity.connect(listener)
    try:
        # when the operator starts the first operation
        with django_capture_on_commit_callbacks(execute=True):
            services.task_start(actor=operator, task_id=turn.pk)
        # then the order is in production
        assert Order.objects.get(pk=order.pk).status == "in_production"
        # when they finish it (with the hours they booked) and the second one
        with django_capture_on_commit_callbacks(execute=True):
            services.task_finish(actor=operator, task_id=turn.pk, actual_hours="5.5")
            services.task_start(actor=operator, task_id=assy.pk)
        assert Order.objects.get(pk=order.pk).status == "in_production"
        with django_capture_on_commit_callbacks(execute=True):
            services.task_finish(actor=operator, task_id=assy.pk)
    finally:
        user_activity.disconnect(listener)
    # then the order waits for QC, the sheet is done, the times are recorded
    order.refresh_from_db()
    assert order.status == "awaiting_qc"
    turn.refresh_from_db()
    assert (turn.status, turn.actual_hours) == ("done", Decimal("5.500"))
    assert turn.actual_start <= turn.actual_end
    assert order.events.filter(action="start").get().data["source"] == "task"
    assert seen == [
        ("op_zheng", "task.started"),
        ("op_zheng", "task.finished"),
        ("op_zheng", "task.started"),
        ("op_zheng", "task.finished"),
    ]
    # and nothing is left to plan for it
    assert not ProductionPlan.objects.filter(order=order).exists()


def test_a_task_starts_only_when_its_predecessor_is_done(order, operator):
    turn, assy = tasks_of(order)
    with pytest.raises(DomainError) as exc:
        services.task_start(actor=operator, task_id=assy.pk)
    assert exc.value.code == "predecessor_not_done"
    services.task_start(actor=operator, task_id=turn.pk)
    with pytest.raises(DomainError) as exc:
        services.task_start(actor=operator, task_id=assy.pk)
    assert exc.value.code == "predecessor_not_done"
    with pytest.raises(DomainError) as exc:
        services.task_start(actor=operator, task_id=turn.pk)
    assert exc.value.code == "task_not_startable"
    with pytest.raises(DomainError) as exc:
        services.task_finish(actor=operator, task_id=assy.pk)
    assert exc.value.code == "task_not_finishable"


def test_operator_cannot_touch_someone_elses_task(order, operator, operator2, lines):
    turn, _assy = tasks_of(order)
    # another operator who is not on the line does not even see the task
    with pytest.raises(NotFound):
        services.task_start(actor=operator2, task_id=turn.pk)
    assert not selectors.task_list(actor=operator2).exists()
    # a member of the line sees it, but it is not theirs
    lines["TURN"].members.add(operator2)
    assert list(selectors.task_list(actor=operator2)) == [turn]
    with pytest.raises(PermissionDenied):
        services.task_start(actor=operator2, task_id=turn.pk)
    turn.refresh_from_db()
    assert turn.status == "pending"
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    # the owner sees both of their tasks
    assert len(selectors.task_list(actor=operator)) == 2


def test_an_unowned_task_is_claimed_by_the_line_member_who_starts_it(
    sales_east, customer_east, lines, operator2
):
    part = MaterialFactory(code="FREE-1", fulfilment="make", routing=False)
    give_routing(part, (lines["ASSY"], "1", "0", None))
    order = make_order(
        actor=sales_east, customer=customer_east,
        lines=[{"material": part.code, "quantity": "1", "unit_price": "1"}], status="confirmed",
    )  # fmt: skip
    (task,) = tasks_of(order)
    lines["ASSY"].members.add(operator2)
    services.task_start(actor=operator2, task_id=task.pk)
    task.refresh_from_db()
    assert (task.owner, task.status) == (operator2, "in_progress")


def test_supervisor_works_any_task_and_reassigns(order, supervisor, operator2):
    turn, _assy = tasks_of(order)
    services.task_assign(actor=supervisor, task_id=turn.pk, owner_id=operator2.pk, version=1)
    turn.refresh_from_db()
    assert (turn.owner, turn.version) == (operator2, 2)
    with pytest.raises(DomainError) as exc:  # stale version
        services.task_assign(actor=supervisor, task_id=turn.pk, owner_id=None, version=1)
    assert exc.value.code == "stale_version"
    sales = make_user("sales")
    with pytest.raises(DomainError) as exc:  # only people who work on tasks
        services.task_assign(actor=supervisor, task_id=turn.pk, owner_id=sales.pk)
    assert exc.value.code == "validation_error"
    services.task_start(actor=supervisor, task_id=turn.pk)
    assert Order.objects.get(pk=order.pk).status == "in_production"


def test_operator_may_not_assign_or_pin(order, operator):
    turn, _assy = tasks_of(order)
    with pytest.raises(PermissionDenied):
        services.task_assign(actor=operator, task_id=turn.pk, owner_id=None)
    with pytest.raises(PermissionDenied):
        services.task_pin(actor=operator, task_id=turn.pk, date=None)


def test_pin_moves_the_task_and_its_successor(
    order, planner, lines, django_capture_on_commit_callbacks
):
    turn, assy = tasks_of(order)
    day = timezone.localdate() + dt.timedelta(days=20)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.task_pin(
            actor=planner, task_id=turn.pk, date=day.isoformat(),
            work_center_id=lines["ASSY"].pk,
        )  # fmt: skip
    turn.refresh_from_db()
    assy.refresh_from_db()
    assert timezone.localtime(turn.planned_start).date() >= day
    assert turn.line_id == lines["ASSY"].pk
    assert assy.planned_start >= turn.planned_finish
    with pytest.raises(DomainError) as exc:
        services.task_pin(actor=planner, task_id=turn.pk, date="2020-01-01", work_center_id="x")
    assert {e["field"] for e in exc.value.details["errors"]} == {"date", "work_center_id"}


def test_qc_fail_adds_a_rework_task_on_the_last_line(order, operator, supervisor):
    turn, assy = tasks_of(order)
    for t in (turn, assy):
        services.task_start(actor=operator, task_id=t.pk)
        services.task_finish(actor=operator, task_id=t.pk)
    assert Order.objects.get(pk=order.pk).status == "awaiting_qc"
    qc = make_user("qc")
    # when QC fails the order (the quality app asks production for the rework task)
    order_transition(actor=qc, order_id=order.pk, action="qc_fail", note="外径超差")
    rework = Task.objects.get(order=order, is_rework=True)
    assert (rework.work_center.code, rework.sequence, rework.status, rework.owner) == (
        "ASSY", 30, "pending", operator,
    )  # fmt: skip
    assert rework.note == "外径超差"
    # and doing the rework sends the order back to QC
    services.task_start(actor=operator, task_id=rework.pk)
    services.task_finish(actor=operator, task_id=rework.pk)
    assert Order.objects.get(pk=order.pk).status == "awaiting_qc"


def test_add_rework_task_refusals(order, operator):
    with pytest.raises(PermissionDenied):
        services.add_rework_task(actor=operator, order_id=order.pk, reason="x")
    qc = make_user("qc")
    with pytest.raises(NotFound):  # a confirmed order is outside QC's view
        services.add_rework_task(actor=qc, order_id=order.pk, reason="x")
    admin = make_user("admin")
    with pytest.raises(DomainError) as exc:
        services.add_rework_task(actor=admin, order_id=order.pk, reason=" ")
    assert exc.value.code == "validation_error"
    with pytest.raises(DomainError) as exc:
        services.add_rework_task(actor=admin, order_id=order.pk, reason="x")
    assert exc.value.code == "order_not_in_production"


def test_reschedule_flags_orders_that_miss_their_due_date(
    sales_east, customer_east, shaft, planner, lines
):
    # given two orders: a huge one due soon and a small one due in 60 days
    big = make_order(
        actor=sales_east, customer=customer_east, due_in_days=2,
        lines=[{"material": shaft.code, "quantity": "500", "unit_price": "1"}], status="confirmed",
    )  # fmt: skip
    small = make_order(
        actor=sales_east, customer=customer_east, due_in_days=60,
        lines=[{"material": shaft.code, "quantity": "1", "unit_price": "1"}], status="confirmed",
    )  # fmt: skip
    # when the planner reschedules
    stats = services.reschedule(actor=planner)
    # then every task is planned, and only the big order is at risk
    assert stats["tasks"] == 4 and stats["scheduled"] == 4 and stats["at_risk"] == 1
    assert [p.order for p in selectors.at_risk_orders(actor=planner)] == [big]
    assert selectors.order_plan(actor=planner, order_id=small.pk).at_risk is False
    # and the line load shows the planned hours of the next days within capacity
    start = timezone.localdate()
    rows = selectors.line_load(actor=planner, start=start, end=start + dt.timedelta(days=60))
    turn_rows = [r for r in rows if r["code"] == "TURN"]
    assert sum(r["planned_hours"] for r in turn_rows) == Decimal("252.500")  # 1+250 + 1+0.5
    assert all(r["planned_hours"] <= r["capacity_hours"] for r in rows)
    assert {r["capacity_hours"] for r in turn_rows} <= {Decimal("16.00"), Decimal("0.00")}
    # operators may not reschedule
    with pytest.raises(PermissionDenied):
        services.reschedule(actor=make_user("operator"))


def test_inactive_line_leaves_tasks_unscheduled_and_the_order_at_risk(order, planner, lines):
    WorkCenter.objects.filter(pk=lines["TURN"].pk).update(active=False)
    stats = services.reschedule(actor=planner)
    assert stats["unscheduled"] == 2
    plan = ProductionPlan.objects.get(order=order)
    assert (plan.at_risk, plan.projected_finish, plan.unscheduled_tasks) == (True, None, 2)


def test_work_center_and_calendar_validation(planner):
    with pytest.raises(DomainError) as exc:
        services.work_center_create(
            actor=planner, code="", name="", hours_per_shift="abc", shifts_per_day=7
        )
    assert {e["field"] for e in exc.value.details["errors"]} == {
        "code", "name", "hours_per_shift", "shifts_per_day",
    }  # fmt: skip
    with pytest.raises(DomainError) as exc:
        services.work_center_create(
            actor=planner, code="X", name="X", hours_per_shift="12", shifts_per_day=3
        )
    assert exc.value.details["errors"][0]["field"] == "hours_per_shift"
    wc = services.work_center_create(actor=planner, code="x1", name="一号线")
    assert (wc.code, wc.hours_per_day) == ("X1", Decimal("8"))
    with pytest.raises(DomainError) as exc:
        services.calendar_exception_set(actor=planner, date="2026-13-01", working="yes", hours=30)
    assert {e["field"] for e in exc.value.details["errors"]} == {"date", "working", "hours"}
    # an admin opens National Day for line X1 with 4 hours, then changes it to closed
    services.calendar_exception_set(
        actor=planner, date="2026-10-02", working=True, hours="4", work_center_id=wc.pk
    )
    line = services.line_calendars([wc])[wc.pk]
    assert line.minutes(dt.date(2026, 10, 2)) == 240
    services.calendar_exception_set(
        actor=planner, date="2026-10-02", working=False, work_center_id=wc.pk
    )
    line = services.line_calendars([wc])[wc.pk]
    assert line.minutes(dt.date(2026, 10, 2)) == 0
    with pytest.raises(PermissionDenied):
        services.calendar_exception_set(actor=make_user("operator"), date="2026-10-02",
                                        working=True)  # fmt: skip


def test_routing_and_bom_validation(planner, lines):
    made = MaterialFactory(code="MK-9", fulfilment="make", routing=False)
    stock = MaterialFactory(code="RAW-9", kind="raw")
    with pytest.raises(DomainError) as exc:
        services.routing_set(
            actor=planner, material_code="MK-9",
            operations=[{"work_center": "NOPE", "setup_hours": "-1", "run_hours_per_unit": "x",
                         "default_owner": "ghost"}],
        )  # fmt: skip
    assert {e["field"] for e in exc.value.details["errors"]} == {
        "operations[0].work_center", "operations[0].setup_hours",
        "operations[0].run_hours_per_unit", "operations[0].default_owner",
    }  # fmt: skip
    with pytest.raises(DomainError) as exc:
        services.routing_set(actor=planner, material_code="RAW-9", operations=[])
    assert {e["field"] for e in exc.value.details["errors"]} == {"material", "operations"}
    services.routing_set(
        actor=planner, material_code="mk-9",
        operations=[{"work_center": "turn", "setup_hours": "1", "run_hours_per_unit": "0.2"}],
    )  # fmt: skip
    assert made.routing.operations.get().work_center == lines["TURN"]
    with pytest.raises(DomainError) as exc:
        services.bom_set(
            actor=planner, material_code="MK-9",
            lines=[{"component": "MK-9", "quantity_per_unit": "1"},
                   {"component": "RAW-9", "quantity_per_unit": "0"}],
        )  # fmt: skip
    assert len(exc.value.details["errors"]) == 2
    services.bom_set(
        actor=planner, material_code="MK-9",
        lines=[{"component": stock.code, "quantity_per_unit": "2.5"}],
    )  # fmt: skip
    assert selectors.bom_get(actor=planner, material_code="MK-9")["lines"][0][
        "quantity_per_unit"
    ] == Decimal("2.5000")


def test_kanban_columns_and_buttons(order, operator, operator2, lines, planner):
    turn, assy = tasks_of(order)
    services.task_start(actor=operator, task_id=turn.pk)
    board = selectors.kanban(actor=operator, work_center_id=lines["TURN"].pk)
    assert (board["pending"], board["in_progress"], board["done"]) == ([], [turn], [])
    assert selectors.can_finish(operator, board["in_progress"][0])
    assert not selectors.can_start(operator, assy)  # pending, but the predecessor is running
    lines["ASSY"].members.add(operator2)
    assert not selectors.can_start(operator2, assy)  # not theirs
    services.task_finish(actor=operator, task_id=turn.pk)
    board = selectors.kanban(actor=operator, work_center_id=lines["TURN"].pk)
    assert [t.pk for t in board["done"]] == [turn.pk]
    # the load summary over a window adds the days up per line
    start = timezone.localdate()
    services.reschedule(actor=planner)
    summary = selectors.line_load_summary(
        actor=planner, start=start, end=start + dt.timedelta(days=30)
    )
    assy_row = next(r for r in summary if r["code"] == "ASSY")
    assert assy_row["planned_hours"] == Decimal("1.500")
    assert assy_row["load_rate"] == pytest.approx(1.5 / float(assy_row["capacity_hours"]), abs=1e-4)
