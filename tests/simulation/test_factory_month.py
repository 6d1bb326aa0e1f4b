"""A small simulated month, both arms on one seed: the invariants of the simulation and of the
product it drives."""

import dataclasses
from unittest import mock

import pytest

from zhongshu.analytics.simulation import metrics, model, runner, setup
from zhongshu.orders.models import Order
from zhongshu.production import scheduler
from zhongshu.production.models import Task
from zhongshu.quality.models import InspectionRecord, Result

pytestmark = pytest.mark.django_db

PARAMS = model.Params(
    load=0.85, seed=3, days=6, tail_days=20, orders=36,
    # rarer events made frequent so a small month meets every kind at least once
    rush_share=0.25, shortage_share=0.4, qc_fail_share=0.25, cancel_share=0.08,
    design_change_share=0.2,
)  # fmt: skip


def _fingerprint(floor):
    return [dataclasses.astuple(o.spec) for o in floor.orders]


@pytest.fixture(scope="module")
def factory():
    return model.build_factory(model.calibrate_scale(model.Params()))


@pytest.mark.slow
def test_a_small_month_in_both_arms_keeps_the_invariants(factory):
    setup.prepare(factory)
    demand = model.make_demand(PARAMS, factory)
    drawn = [dataclasses.astuple(o) for o in demand.orders]
    before = runner.run_before(demand)
    spy = mock.Mock(wraps=scheduler.schedule)
    with mock.patch.object(scheduler, "schedule", spy):
        after, arm = runner.run_after(demand)
    month = (demand, drawn, before, after, arm, spy)
    check_both_arms_get_the_same_demand(month)
    check_every_order_ends_shipped_cancelled_or_open(month)
    check_no_task_before_its_order_was_confirmed(month)
    check_no_shipment_before_qc_passed(month)
    check_the_product_scheduler_plans_the_with_zhongshu_arm(month)


def check_both_arms_get_the_same_demand(month):
    _demand, drawn, before, after, _arm, _spy = month
    assert _fingerprint(before) == _fingerprint(after) == drawn
    assert len(drawn) == PARAMS.orders
    # the rare events occur, so the checks below are not vacuous
    assert any(o.spec.rush for o in after.orders)
    assert any(o.qc_failed_once for o in after.orders)
    assert any(o.shipped for o in after.orders)


def check_every_order_ends_shipped_cancelled_or_open(month):
    _d, _drawn, before, after, _arm, _spy = month
    for floor in (before, after):
        for o in floor.orders:
            assert (o.shipped is not None) + (o.cancelled is not None) <= 1
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert len(statuses) == PARAMS.orders
    for o in after.orders:
        status = statuses[o.ref]
        if o.shipped is not None:
            assert status == "shipped"
        elif o.cancelled is not None:
            assert status == "cancelled"
        else:
            assert status in ("pending_review", "confirmed", "in_production", "awaiting_qc")


def check_no_task_before_its_order_was_confirmed(month):
    _d, _drawn, before, _after, _arm, _spy = month
    rows = Task.objects.filter(actual_start__isnull=False).values_list(
        "actual_start", "order__confirmed_at"
    )
    assert rows
    for started, confirmed in rows:
        assert confirmed is not None and started >= confirmed
    for o in before.orders:
        starts = [t for t, kind in o.log if kind == "task_started"]
        confirmed = [t for t, kind in o.log if kind == "confirmed"]
        if starts:
            assert confirmed and min(starts) >= confirmed[0]


def check_no_shipment_before_qc_passed(month):
    _d, _drawn, before, _after, _arm, _spy = month
    shipped = Order.objects.filter(status="shipped")
    assert shipped.exists()
    for order in shipped:
        passed = InspectionRecord.objects.filter(order=order, result=Result.PASS).order_by("at")
        assert passed.exists() and order.shipped_at >= passed.first().at
    for o in before.orders:
        if o.shipped is not None:
            assert o.qc_passed is not None and o.shipped >= o.qc_passed


def check_the_product_scheduler_plans_the_with_zhongshu_arm(month):
    _d, _drawn, _before, after, arm, spy = month
    assert arm.calls["reschedule"] > 0
    assert spy.call_count == arm.calls["reschedule"]
    assert arm.calls["task_start"] == Task.objects.filter(actual_start__isnull=False).count()
    assert arm.calls["order_confirm"] == Order.objects.filter(confirmed_at__isnull=False).count()
    summary = metrics.summarize(after)
    assert 0 <= summary["late_rate"] <= 1


@pytest.mark.slow
def test_an_order_cancelled_while_its_job_runs_ends_the_job_and_the_month_goes_on(factory):
    from zhongshu.analytics.simulation import after

    setup.prepare(factory)
    demand = model.make_demand(dataclasses.replace(PARAMS, cancel_share=0.0), factory)
    victims = []
    started = after.After.started

    def start_then_cancel(arm, task):
        # the customer cancels a minute after the first job of the month started
        started(arm, task)
        if not victims:
            victims.append(task)
            task.order.spec = dataclasses.replace(task.order.spec, cancel_at=int(arm.env.now) + 1)
            arm.env.process(arm.floor._cancel(task.order))

    with mock.patch.object(after.After, "started", start_then_cancel):
        floor, _arm = runner.run_after(demand)

    (task,) = victims
    order = task.order
    # the job was running when the order was cancelled, and the month ran to its end
    assert task.started < order.cancelled < task.finished
    assert sum(o.shipped is not None for o in floor.orders) > len(floor.orders) // 2
    # the product cancelled the order and its open tasks; the job's task was not finished there
    assert Order.objects.get(pk=order.ref).status == "cancelled"
    assert set(Task.objects.filter(order_id=order.ref).values_list("status", flat=True)) == {
        "cancelled"
    }
