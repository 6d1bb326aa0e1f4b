"""The permission matrix of QC and the shop-floor pages (SPEC §2): every role × every QC endpoint,
QC page and production page × an object of the user's own region (华东) and of another (华北),
with the exact HTTP status. Written out by hand, not derived from ``permissions.can``. A refused
request leaves the database exactly as it was; an allowed write ("+") changes it.

QC sees orders in production, awaiting QC, shipped and completed, in every region; supervisors
see confirmed → awaiting QC; sales see their regions and hold no QC or production right.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import CustomerFactory, MaterialFactory, RegionFactory, make_order
from tests.support.fingerprint import Count, Fingerprint, columns
from tests.support.matrix import MatrixRunner, World, add_role_users, expand, module_world
from zhongshu.orders.models import Order
from zhongshu.production import services as production
from zhongshu.production.models import CalendarException, Task, WorkCenter
from zhongshu.quality.models import (
    InspectionItem,
    InspectionPlan,
    InspectionRecord,
    Measurement,
    Nonconformance,
)
from zhongshu.quality.services import plan_save, record_inspection


def _finish_all(w, order):
    for task in Task.objects.filter(order=order).order_by("sequence"):
        production.task_start(actor=w.users["supervisor"], task_id=task.pk)
        production.task_finish(actor=w.users["supervisor"], task_id=task.pk)


def _build() -> World:
    from zhongshu.rules.models import Rule

    Rule.objects.exclude(builtin_key="").update(enabled=False)
    w = World()
    east, north = RegionFactory(name="华东"), RegionFactory(name="华北")
    c_east = CustomerFactory(code="C-EAST", region=east)
    c_north = CustomerFactory(code="C-NORTH", region=north)
    add_role_users(w, "qm_")
    admin = w.users["admin"]
    production.work_center_create(
        actor=admin, code="L1", name="一线", hours_per_shift=Decimal(8), members=["qm_operator"]
    )
    for code in ("P-MX", "P-SPARE"):
        MaterialFactory(code=code, fulfilment="make")
        production.routing_set(
            actor=admin,
            material_code=code,
            operations=[{"work_center": "L1", "setup_hours": "1", "run_hours_per_unit": "1"}],
        )
    plan = plan_save(actor=admin, material="P-MX", items=[{"name": "外观", "kind": "attribute"}])
    plan_save(actor=admin, material="P-SPARE", items=[{"name": "长度", "kind": "attribute"}])
    item = plan.items.get()

    def order(customer, status="confirmed"):
        o = make_order(
            actor=admin,
            customer=customer,
            lines=[{"material": "P-MX", "quantity": "1", "unit_price": "10"}],
            status="confirmed",
        )
        if status == "awaiting_qc":
            _finish_all(w, o)
        return o.pk

    w.ids.update(E_AQC=order(c_east, "awaiting_qc"), N_AQC=order(c_north, "awaiting_qc"))
    w.ids.update(E_CONF=order(c_east), N_CONF=order(c_north))
    failed = order(c_east, "awaiting_qc")
    record = record_inspection(
        actor=admin, order_id=failed, measurements=[{"item": item.pk, "ok": False}]
    )
    w.ids.update(
        E_RW=failed,
        REC=record.pk,
        NC=Nonconformance.objects.get(order_id=failed).pk,
        ITEM=item.pk,
        MATERIAL="P-MX",
        SPARE="P-SPARE",
        T_START=Task.objects.filter(order_id=w.ids["E_CONF"]).get().pk,
        T_NORTH=Task.objects.filter(order_id=w.ids["N_CONF"]).get().pk,
        LINE=WorkCenter.objects.get(code="L1").pk,
        NO_SUCH=10**9,
    )
    return w


world = module_world(_build)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


fingerprint = Fingerprint(
    columns(Order, "pk", "status", "version"),
    columns(Task, "pk", "status", "owner_id", "pinned_date", "pinned_work_center_id", "version"),
    columns(InspectionPlan, "pk", "version"),
    Count(InspectionItem),
    Count(InspectionRecord),
    Count(Measurement),
    columns(Nonconformance, "pk", "status"),
    columns(WorkCenter, "pk", "code", "version"),
    Count(CalendarException),
)
run = MatrixRunner(fingerprint)


def _inspect(key, ok=True):
    return lambda w: {"order_id": w.ids[key], "measurements": [{"item": w.ids["ITEM"], "ok": ok}]}


def _plan(w):
    return {"items": [{"name": "外观", "kind": "attribute"}, {"name": "毛刺", "kind": "attribute"}]}


#            admin manager sales planner supervisor operator qc warehouse purchasing finance
VIEW = "200 200 403 200 200 403 200 200 403 403"

API = [
    ("plans.list", "get", "/api/v1/qc/plans", None, VIEW),
    ("plans.get", "get", "/api/v1/qc/plans/{MATERIAL}", None, VIEW),
    ("plans.get.missing", "get", "/api/v1/qc/plans/NOPE", None,
     "404 404 403 404 404 403 404 404 403 403"),
    ("plans.put", "put", "/api/v1/qc/plans/{MATERIAL}", _plan,
     "200 403 403 403 403 403 200 403 403 403"),
    ("plans.delete", "delete", "/api/v1/qc/plans/{SPARE}", None,
     "204 403 403 403 403 403 204 403 403 403"),
    ("queue", "get", "/api/v1/qc/orders", None, VIEW),
    ("checklist.own", "get", "/api/v1/qc/orders/{E_AQC}/checklist", None, VIEW),
    ("checklist.other", "get", "/api/v1/qc/orders/{N_AQC}/checklist", None, VIEW),
    # a confirmed order is outside QC's stages: 404, exactly like a missing one
    ("checklist.confirmed", "get", "/api/v1/qc/orders/{E_CONF}/checklist", None,
     "200 200 403 200 200 403 404 200 403 403"),
    ("checklist.missing", "get", "/api/v1/qc/orders/{NO_SUCH}/checklist", None,
     "404 404 403 404 404 403 404 404 403 403"),
    ("inspect.own", "post", "/api/v1/qc/inspections", _inspect("E_AQC"),
     "201 403 403 403 403 403 201 403 403 403"),
    ("inspect.other", "post", "/api/v1/qc/inspections", _inspect("N_AQC", ok=False),
     "201 403 403 403 403 403 201 403 403 403"),
    ("inspect.confirmed", "post", "/api/v1/qc/inspections", _inspect("E_CONF"),
     "409 403 403 403 403 403 404 403 403 403"),
    ("inspections.list", "get", "/api/v1/qc/inspections", None, VIEW),
    ("inspections.get", "get", "/api/v1/qc/inspections/{REC}", None, VIEW),
    ("inspections.missing", "get", "/api/v1/qc/inspections/{NO_SUCH}", None,
     "404 404 403 404 404 403 404 404 403 403"),
    ("ncs.list", "get", "/api/v1/qc/nonconformances", None, VIEW),
    ("ncs.close", "post", "/api/v1/qc/nonconformances/{NC}/close", lambda w: {"note": "ok"},
     "200 403 403 403 403 403 200 403 403 403"),
    # the ship guard: warehouse and admin may ship, but not before QC passed
    ("ship.before_qc", "post", "/api/v1/orders/{E_AQC}/transitions",
     lambda w: {"action": "ship"}, "409 403 403 403 403 403 403 409 403 403"),
]  # fmt: skip

PROD_VIEW = "200 200 403 200 200 200 200 403 403 403"
PLANNING = "200 403 403 200 403 403 403 403 403 403"

WEB = [
    ("qc.home", "/qc/", VIEW),
    ("qc.inspect.own", "/qc/orders/{E_AQC}/", VIEW),
    ("qc.inspect.other", "/qc/orders/{N_AQC}/", VIEW),
    ("qc.inspect.confirmed", "/qc/orders/{E_CONF}/", "200 200 403 200 200 403 404 200 403 403"),
    ("qc.plans", "/qc/plans/", VIEW),
    ("qc.plan_edit", "/qc/plans/{MATERIAL}/", "200 403 403 403 403 403 200 403 403 403"),
    ("production.kanban", "/production/", PROD_VIEW),
    ("production.board", "/production/board/?line={LINE}", PROD_VIEW),
    ("production.my", "/production/my/", "200 403 403 403 200 200 403 403 403 403"),
    ("production.load", "/production/load/", PROD_VIEW),
    ("production.schedule", "/production/schedule/", PLANNING),
    ("production.setup", "/production/setup/", PLANNING),
    # the order page with the production and QC panels
    ("order.own", "/orders/{E_AQC}/", "200 200 200 200 200 403 200 200 200 200"),
    ("order.other", "/orders/{N_AQC}/", "200 200 404 200 200 403 200 200 200 200"),
]

# "+" = the request really changes something; plain statuses are refusals (nothing changes)
WEB_POST = [
    ("task.start.own_line", "/production/tasks/{T_START}/start/", {},
     "302+ 403 403 403 302+ 302+ 403 403 403 403"),
    ("task.pin", "/production/tasks/{T_NORTH}/pin/", {"date": "NEXT_WEEK"},
     "302+ 403 403 302+ 403 403 403 403 403 403"),
    ("schedule.run", "/production/schedule/run/", {}, PLANNING.replace("200", "302")),
    ("setup.line", "/production/setup/", {"form": "line", "code": "L7", "name": "七线",
                                          "hours_per_shift": "8", "shifts_per_day": "1"},
     "302+ 403 403 302+ 403 403 403 403 403 403"),
    ("qc.inspect", "/qc/orders/{E_AQC}/", {"item_ITEM": "ok"},
     "302+ 403 403 403 403 403 302+ 403 403 403"),
    ("qc.nc_close", "/qc/nonconformances/{NC}/close/", {"note": "ok"},
     "302+ 403 403 403 403 403 302+ 403 403 403"),
    ("qc.plan_save", "/qc/plans/{MATERIAL}/", {"rows": "1", "items-0-name": "新", "items-0-kind": "attribute"},
     "302+ 403 403 403 403 403 302+ 403 403 403"),
]  # fmt: skip


@pytest.mark.parametrize("case,method,path,body,role,expected", expand(API, 4, str))
def test_api(world, db, case, method, path, body, role, expected):
    # given a user holding exactly one role (sales: 华东 only)
    # when they call the endpoint
    outcome = run.api(world, role, method, path, body)

    # then the status is exact; refusals change nothing, allowed writes change something
    outcome.expect(int(expected), method)


@pytest.mark.parametrize("case,path,role,expected", expand(WEB, 2, str))
def test_web(world, db, case, path, role, expected):
    outcome = run.page(world, role, path)
    assert outcome.response.status_code == int(expected)
    assert outcome.after == outcome.before


@pytest.mark.parametrize("case,path,data,role,expected", expand(WEB_POST, 3, str))
def test_web_post(world, db, case, path, data, role, expected):
    next_week = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    data = {
        (f"item_{world.ids['ITEM']}" if k == "item_ITEM" else k): (
            next_week if v == "NEXT_WEEK" else v
        )
        for k, v in data.items()
    }
    outcome = run.page(world, role, path, "post", data)
    response = outcome.response
    assert response.status_code == int(expected.rstrip("+")), response.content.decode()[:300]
    if expected.endswith("+"):
        assert outcome.changed
    elif int(expected) >= 400:
        assert not outcome.changed


def test_anonymous_is_sent_to_login_and_gets_401_from_the_api(world, db):
    client = Client()
    for path in ("/qc/", "/qc/plans/", "/production/", "/production/my/", "/production/load/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/api/v1/qc/inspections").status_code == 401


def test_an_operator_sees_the_tasks_of_their_line_on_the_board(world, db):
    # given the operator, a member of line L1
    client = Client()
    client.force_login(world.users["operator"])
    # when they open the board of L1, then the open tasks of both regions' orders are there
    html = client.get("/production/board/", {"line": world.ids["LINE"]}).content.decode()
    assert f'data-task="{world.ids["T_START"]}"' in html
    assert f'data-task="{world.ids["T_NORTH"]}"' in html
