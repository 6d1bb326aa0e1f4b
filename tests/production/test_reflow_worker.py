"""With ``PRODUCTION_REFLOW = "worker"`` (``zhongshu serve``) the schedule reflows on the worker:
a burst of confirmations queues one reflow, the projected dates say "updating" until it has run,
and a reflow lost with its worker is queued again once."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import make_order
from zhongshu.orders.services import order_transition
from zhongshu.production.models import ProductionPlan, Task
from zhongshu.production.services import redo_lost_reflows, schedule_updating
from zhongshu.production.tasks import reflow_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_worker(settings):
    settings.PRODUCTION_REFLOW = "worker"


def _reflows():
    return DBTaskResult.objects.filter(task_path=reflow_schedule.module_path)


def _pending_orders(sales_east, customer_east, shaft, n):
    lines = [{"material": shaft.code, "quantity": "10", "unit_price": "100"}]
    return [
        make_order(actor=sales_east, customer=customer_east, status="pending_review", lines=lines)
        for _ in range(n)
    ]


def test_confirmations_queue_one_reflow_and_the_dates_are_updating_until_it_ran(
    on_worker, sales_east, customer_east, shaft, planner, api_as, client_as,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    orders = _pending_orders(sales_east, customer_east, shaft, 3)
    for order in orders:
        with django_capture_on_commit_callbacks(execute=True):
            order_transition(actor=planner, order_id=order.pk, action="confirm")
    # one reflow waits for the worker; nothing was planned in the requests
    assert _reflows().filter(status="READY").count() == 1
    assert not Task.objects.filter(planned_start__isnull=False).exists()
    assert schedule_updating() is True
    assert api_as(planner).get("/api/v1/production/schedule-status").json() == {"updating": True}
    page = client_as(planner).get(f"/orders/{orders[0].pk}/")
    assert "排程更新中" in page.content.decode()
    # when the worker runs (the queued reflow waits a second for the confirmations around it)
    _reflows().update(run_after=timezone.now())
    if connection.vendor == "sqlite":
        call_command("worker", "--once", "--no-jobs")
    else:  # the worker closes the connections, which holds this test's transaction here
        reflow_schedule.call()
        _reflows().update(status="SUCCESSFUL", finished_at=timezone.now())
    # then every order is planned once and the dates are no longer updating
    assert not Task.objects.filter(planned_start__isnull=True).exists()
    assert ProductionPlan.objects.filter(order__in=orders).count() == 3
    assert list(_reflows().values_list("status", flat=True)) == ["SUCCESSFUL"]
    assert schedule_updating() is False
    assert api_as(planner).get("/api/v1/production/schedule-status").json() == {"updating": False}
    assert "排程更新中" not in client_as(planner).get(f"/orders/{orders[0].pk}/").content.decode()


def test_a_reflow_lost_with_its_worker_is_queued_again_once(on_worker, db):
    started = timezone.now() - dt.timedelta(minutes=30)
    reflow_schedule.enqueue()
    _reflows().update(status="RUNNING", started_at=started)
    assert schedule_updating() is False  # a dead run does not keep the dates "updating"
    assert redo_lost_reflows() == 1
    assert redo_lost_reflows() == 0  # the job running again does not queue a second one
    assert sorted(_reflows().values_list("status", flat=True)) == ["FAILED", "READY"]
    assert schedule_updating() is True


def test_inline_reflow_stays_the_default_outside_the_server(
    sales_east, customer_east, shaft, planner, django_capture_on_commit_callbacks
):
    (order,) = _pending_orders(sales_east, customer_east, shaft, 1)
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(actor=planner, order_id=order.pk, action="confirm")
    assert not _reflows().exists()
    assert not Task.objects.filter(order=order, planned_start__isnull=True).exists()
