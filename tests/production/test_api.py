"""/api/v1/production: shapes, refusals (422 lists every bad field), paging and query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_order, make_user
from zhongshu.orders.models import Order
from zhongshu.production.models import Task, TaskSheet

URL = "/api/v1/production"


@pytest.fixture
def admin_api(api_as, admin_user):
    return api_as(admin_user)


def _orders(sales, customer, material, n, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return [
            make_order(
                actor=sales, customer=customer, status="confirmed",
                lines=[{"material": material.code, "quantity": "4", "unit_price": "1"}],
            )
            for _ in range(n)
        ]  # fmt: skip


def _put(api, path, data):
    return api._call("put", path, data)


def _count(api, path, params=None):
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path, params)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries), r.json()


def test_work_center_crud_and_422(admin_api, operator):
    r = admin_api.post(
        f"{URL}/work-centers",
        {"code": "cnc", "name": "CNC 加工线", "hours_per_shift": "8", "shifts_per_day": 2,
         "members": ["op_zheng"]},
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    wc = r.json()
    assert (wc["code"], wc["hours_per_day"], wc["members"], wc["version"]) == (
        "CNC", "16.00", ["op_zheng"], 1,
    )  # fmt: skip
    r = admin_api.post(
        f"{URL}/work-centers",
        {"code": "", "name": "", "hours_per_shift": "x", "shifts_per_day": 9, "members": ["no"]},
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["details"]["errors"]} == {
        "code", "name", "hours_per_shift", "shifts_per_day", "members",
    }  # fmt: skip
    r = admin_api.patch(f"{URL}/work-centers/{wc['id']}", {"version": 1, "shifts_per_day": 3})
    assert r.status_code == 200 and r.json()["hours_per_day"] == "24.00"
    r = admin_api.patch(f"{URL}/work-centers/{wc['id']}", {"version": 1, "name": "x"})
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    r = admin_api.patch(f"{URL}/work-centers/{wc['id']}", {"name": "x"})
    assert r.status_code == 422
    assert admin_api.get(f"{URL}/work-centers/999999").status_code == 404
    assert [w["code"] for w in admin_api.get(f"{URL}/work-centers").json()] == ["CNC"]


def test_calendar_exceptions_and_days(admin_api, lines):
    # the national calendar: 2026-10-01 is National Day, 2026-10-10 a make-up Saturday
    r = admin_api.get(
        f"{URL}/calendar/days",
        {"start": "2026-09-30", "end": "2026-10-10", "work_center_id": lines["TURN"].pk},
    )
    days = {d["day"]: d for d in r.json()}
    assert days["2026-10-01"]["capacity_hours"] == "0.00"
    assert days["2026-10-01"]["holiday"]
    assert days["2026-10-10"]["makeup_workday"] is True
    assert days["2026-10-10"]["capacity_hours"] == "16.00"
    # an admin opens 2026-10-02 for TURN with 4 hours
    r = _put(
        admin_api,
        f"{URL}/calendar/exceptions",
        {"date": "2026-10-02", "working": True, "hours": "4", "work_center_id": lines["TURN"].pk},
    )
    assert r.status_code == 200, r.json()
    exc_id = r.json()["id"]
    r = admin_api.get(
        f"{URL}/calendar/days",
        {"start": "2026-10-02", "end": "2026-10-02", "work_center_id": lines["TURN"].pk},
    )
    assert r.json()[0]["capacity_hours"] == "4.00"
    r = _put(admin_api, f"{URL}/calendar/exceptions", {"date": "soon", "working": "x", "hours": 99})
    assert r.status_code == 422
    assert len(r.json()["details"]["errors"]) == 3
    assert admin_api.delete(f"{URL}/calendar/exceptions/{exc_id}").status_code == 204
    assert admin_api.get(f"{URL}/calendar/exceptions").json() == []
    # windows: end before start, or more than a year, or not a date
    for params in (
        {"start": "2026-10-02", "end": "2026-10-01"},
        {"start": "2026-01-01", "end": "2027-06-01"},
        {"start": "tomorrow", "end": "2026-10-01"},
    ):
        r = admin_api.get(f"{URL}/load", params)
        assert r.status_code == 422, params
        assert r.json()["code"]


def test_routing_and_bom_get_put(admin_api, lines, shaft):
    r = admin_api.get(f"{URL}/routings/{shaft.code}")
    assert [op["work_center"] for op in r.json()["operations"]] == ["TURN", "ASSY"]
    r = _put(admin_api,
        f"{URL}/routings/{shaft.code}",
        {"operations": [{"work_center": "ASSY", "name": "装配", "setup_hours": "0.5",
                         "run_hours_per_unit": "0.25", "default_owner": "op_zheng"}]},
    )  # fmt: skip
    assert r.status_code == 200, r.json()
    assert r.json()["version"] == 2
    assert r.json()["operations"][0]["default_owner"] == "op_zheng"
    r = _put(admin_api, f"{URL}/routings/{shaft.code}", {"operations": [{"work_center": None}]})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["details"]["errors"]} == {
        "operations[0].work_center", "operations[0].run_hours_per_unit",
    }  # fmt: skip
    assert admin_api.get(f"{URL}/routings/NOPE").status_code == 404
    r = _put(admin_api, f"{URL}/boms/{shaft.code}", {"lines": [{"component": "NOPE"}]})
    assert r.status_code == 422
    assert admin_api.get(f"{URL}/boms/{shaft.code}").json()["lines"] == []


def test_operator_floor_flow_over_the_api(
    api_as,
    sales_east,
    customer_east,
    shaft,
    operator,
    operator2,
    django_capture_on_commit_callbacks,
):
    (order,) = _orders(sales_east, customer_east, shaft, 1, django_capture_on_commit_callbacks)
    api = api_as(operator)
    page = api.get(f"{URL}/tasks", {"owner": "me", "status": "pending"}).json()
    turn, assy = sorted(page["items"], key=lambda t: t["sequence"])
    assert (turn["work_center"], turn["estimated_hours"], turn["order"]) == (
        "TURN", "3.000", order.number,
    )  # fmt: skip
    assert turn["planned_start"] is not None
    # starting the second operation first is refused with a clear code
    r = api.post(f"{URL}/tasks/{assy['id']}/start", {})
    assert (r.status_code, r.json()["code"]) == (409, "predecessor_not_done")
    # another operator gets 404 (not in their scope)
    r = api_as(operator2).post(f"{URL}/tasks/{turn['id']}/start", {})
    assert r.status_code == 404
    r = api.post(f"{URL}/tasks/{turn['id']}/start", {"version": turn["version"]})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = api.post(f"{URL}/tasks/{turn['id']}/finish", {"actual_hours": "-2"})
    assert r.status_code == 422
    assert api.post(f"{URL}/tasks/{turn['id']}/finish", {}).json()["status"] == "done"
    api.post(f"{URL}/tasks/{assy['id']}/start")
    api.post(f"{URL}/tasks/{assy['id']}/finish")
    assert Order.objects.get(pk=order.pk).status == "awaiting_qc"
    r = api.get(f"{URL}/tasks", {"owner": "someone"})
    assert r.status_code == 422
    r = api.get(f"{URL}/tasks", {"status": "bogus"})
    assert r.status_code == 422


def test_sheets_reschedule_load_and_at_risk(
    admin_api, sales_east, customer_east, shaft, django_capture_on_commit_callbacks
):
    (order,) = _orders(sales_east, customer_east, shaft, 1, django_capture_on_commit_callbacks)
    sheets = admin_api.get(f"{URL}/orders/{order.pk}/sheets").json()
    assert [len(s["tasks"]) for s in sheets] == [2]
    assert admin_api.get(f"{URL}/orders/999999/sheets").status_code == 404
    r = admin_api.post(f"{URL}/reschedule")
    assert r.status_code == 200 and r.json()["scheduled"] == 2
    today = timezone.localdate()
    r = admin_api.get(f"{URL}/load", {"start": today.isoformat(),
                                      "end": (today + dt.timedelta(days=13)).isoformat()})  # fmt: skip
    rows = r.json()
    assert len(rows) == 2 * 14
    assert sum(float(x["planned_hours"]) for x in rows) == pytest.approx(3 + 0.9)
    assert set(rows[0]) == {"work_center_id", "code", "name", "day", "planned_hours",
                            "capacity_hours", "load_rate"}  # fmt: skip
    Order.objects.filter(pk=order.pk).update(due_date=today - dt.timedelta(days=1))
    admin_api.post(f"{URL}/reschedule")
    assert [x["order"] for x in admin_api.get(f"{URL}/at-risk").json()] == [order.number]


def test_pin_and_assign_over_the_api(
    admin_api, lines, sales_east, customer_east, shaft, operator2,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    (order,) = _orders(sales_east, customer_east, shaft, 1, django_capture_on_commit_callbacks)
    task = Task.objects.filter(order=order).order_by("sequence").first()
    r = admin_api.post(f"{URL}/tasks/{task.pk}/pin", {"date": "yesterday", "work_center_id": 0})
    assert r.status_code == 422
    assert len(r.json()["details"]["errors"]) == 2
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    r = admin_api.post(f"{URL}/tasks/{task.pk}/pin", {"date": day, "version": task.version})
    assert r.status_code == 200 and r.json()["pinned_date"] == day
    r = admin_api.post(f"{URL}/tasks/{task.pk}/assign", {"owner_id": operator2.pk, "version": 1})
    assert (r.status_code, r.json()["code"]) == (409, "stale_version")
    r = admin_api.post(f"{URL}/tasks/{task.pk}/assign", {"owner_id": operator2.pk})
    assert r.json()["owner"] == "op_li"


def test_task_list_and_sheets_cost_the_same_for_few_and_many(
    api_as, sales_east, customer_east, shaft, supervisor, django_capture_on_commit_callbacks
):
    orders = _orders(sales_east, customer_east, shaft, 3, django_capture_on_commit_callbacks)
    api = api_as(supervisor)
    api.get("/api/v1/me")
    few, body = _count(api, f"{URL}/tasks", {"limit": 2})
    _orders(sales_east, customer_east, shaft, 12, django_capture_on_commit_callbacks)
    many, body_many = _count(api, f"{URL}/tasks", {"limit": 20})
    assert (len(body["items"]), len(body_many["items"])) == (2, 20)
    assert few == many <= 6
    # keyset paging: the next page starts after the cursor
    nxt = api.get(f"{URL}/tasks", {"limit": 20, "cursor": body_many["next_cursor"]}).json()
    assert len(nxt["items"]) == 10 and nxt["next_cursor"] is None
    # the load view: same queries for 7 and 70 days
    today = timezone.localdate()
    q7, _ = _count(api, f"{URL}/load", {"start": today, "end": today + dt.timedelta(days=6)})
    q70, _ = _count(api, f"{URL}/load", {"start": today, "end": today + dt.timedelta(days=69)})
    assert q7 == q70 <= 6
    # sheets of one order with many tasks: bounded
    q, _ = _count(api, f"{URL}/orders/{orders[0].pk}/sheets")
    assert q <= 6
    assert TaskSheet.objects.count() == 15
    q, _ = _count(api, f"{URL}/at-risk")
    assert q <= 5


def test_operator_sees_only_their_tasks(
    api_as, sales_east, customer_east, shaft, operator2, django_capture_on_commit_callbacks
):
    _orders(sales_east, customer_east, shaft, 1, django_capture_on_commit_callbacks)
    assert api_as(operator2).get(f"{URL}/tasks").json()["items"] == []
    assert api_as(make_user("sales")).get(f"{URL}/tasks").status_code == 403
