"""A small shop floor for QC tests: one line, a product with a two-step routing and an inspection
plan, and orders that reach "awaiting QC" the real way — confirmed (task sheets), tasks started
and finished on the floor."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests.factories import CustomerFactory, MaterialFactory, make_order, make_user
from zhongshu.production import services as production
from zhongshu.production.models import Task
from zhongshu.quality.services import plan_save


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def floor(db, east):
    admin = make_user("admin", username="qc_admin")
    w = SimpleNamespace(
        admin=admin,
        sales=make_user("sales", regions=("华东",), username="qc_sales"),
        planner=make_user("planner", username="qc_planner"),
        supervisor=make_user("supervisor", username="qc_supervisor"),
        operator=make_user("operator", username="qc_operator"),
        qc=make_user("qc", username="qc_inspector"),
        warehouse=make_user("warehouse", username="qc_keeper"),
        customer=CustomerFactory(code="C-QC", name="苏州精工机械", region=east),
    )
    w.line = production.work_center_create(
        actor=admin,
        code="L1",
        name="机加一线",
        hours_per_shift=Decimal(8),
        shifts_per_day=1,
        members=["qc_operator"],
    )
    w.product = MaterialFactory(code="P-SHAFT", name="传动轴", fulfilment="make")
    production.routing_set(
        actor=admin,
        material_code="P-SHAFT",
        operations=[
            {"name": "车削", "work_center": "L1", "setup_hours": "1", "run_hours_per_unit": "0.5"},
            {
                "name": "磨削",
                "work_center": "L1",
                "setup_hours": "0.5",
                "run_hours_per_unit": "0.25",
            },
        ],
    )
    w.plan = plan_save(
        actor=admin,
        material="P-SHAFT",
        items=[
            {"name": "外径", "method": "千分尺", "kind": "measure", "target": "20",
             "lower_tolerance": "0.02", "upper_tolerance": "0.01", "unit": "mm"},
            {"name": "表面划伤", "method": "目视", "kind": "attribute"},
        ],
    )  # fmt: skip
    w.diameter, w.scratch = list(w.plan.items.order_by("sequence"))
    return w


def run_open_tasks(w, order) -> None:
    """Start and finish every open task of the order in routing order, as the floor would."""
    while True:
        task = (
            Task.objects.filter(order=order, status__in=["pending", "in_progress"])
            .order_by("sheet_id", "sequence", "id")
            .first()
        )
        if task is None:
            return
        if task.status == "pending":
            production.task_start(actor=w.supervisor, task_id=task.pk)
        production.task_finish(actor=w.supervisor, task_id=task.pk)


def produced_order(w, quantity="4"):
    """An order of the planned product that went through production: now awaiting QC."""
    order = make_order(
        actor=w.sales,
        customer=w.customer,
        lines=[{"material": "P-SHAFT", "quantity": quantity, "unit_price": "88"}],
        status="confirmed",
    )
    run_open_tasks(w, order)
    order.refresh_from_db()
    assert order.status == "awaiting_qc"
    return order


@pytest.fixture
def awaiting(floor):
    return produced_order(floor)


def good(w, diameter="20.005", scratch=True):
    return [{"item": w.diameter.pk, "value": diameter}, {"item": w.scratch.pk, "ok": scratch}]
