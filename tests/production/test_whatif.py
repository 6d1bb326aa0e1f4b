"""What-if for the planner: a hypothetical order's promise date and the open orders it would make
late, by the product's scheduler, with nothing written."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from tests.factories import make_order, make_user
from zhongshu.orders.models import Order
from zhongshu.production import scheduler
from zhongshu.production.models import LineLoad, ProductionPlan, Task, TaskSheet

URL = "/api/v1/production/what-if"


def _rows():
    return (
        list(Order.objects.order_by("pk").values_list("pk", "status", "version", "due_date")),
        list(Task.objects.order_by("pk").values_list("pk", "status", "planned_start", "version")),
        TaskSheet.objects.count(), ProductionPlan.objects.count(), LineLoad.objects.count(),
    )  # fmt: skip


@pytest.fixture
def busy(shaft, customer_east, sales_east, django_capture_on_commit_callbacks):
    """Two confirmed shaft orders of 20 units (≈ 11 h turning each), due in 7 and 40 days."""
    orders = []
    with django_capture_on_commit_callbacks(execute=True):
        for days in (7, 40):
            orders.append(
                make_order(
                    actor=sales_east, customer=customer_east, status="confirmed",
                    due_in_days=days,
                    lines=[{"material": shaft.code, "quantity": "20", "unit_price": "1"}],
                )
            )  # fmt: skip
    return orders


def _body(shaft, days, qty="10", priority="normal"):
    due = timezone.localdate() + dt.timedelta(days=days)
    return {"material": shaft.code, "quantity": qty, "due_date": due.isoformat(),
            "priority": priority}  # fmt: skip


def test_a_critical_order_gets_its_promise_and_names_the_order_it_makes_late(
    api_as, planner, shaft, busy
):
    before = _rows()
    spy = mock.Mock(wraps=scheduler.schedule)
    with mock.patch.object(scheduler, "schedule", spy):
        r = api_as(planner).post(URL, _body(shaft, 2, qty="200", priority="critical"))
    assert r.status_code == 200, r.content
    data = r.json()
    assert spy.call_count == 2  # the product's scheduler, without and with the new order
    assert data["promise_date"] is not None and data["on_time"] is False
    # 200 units take ≈ 101 h of turning (six working days): the order due in 7 days slips
    assert [o["number"] for o in data["turn_late"]] == [busy[0].number]
    assert data["turn_late_count"] == 1
    assert _rows() == before  # nothing written


def test_a_small_normal_order_far_out_makes_nobody_late(api_as, planner, shaft, busy):
    before = _rows()
    r = api_as(planner).post(URL, _body(shaft, 60, qty="1"))
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["turn_late"] == [] and data["on_time"] is True
    assert dt.date.fromisoformat(data["promise_date"]) <= timezone.localdate() + dt.timedelta(60)
    assert _rows() == before


@pytest.mark.parametrize(
    "body,field",
    [
        ({"material": "NOPE", "quantity": "1", "due_date": "2099-01-01"}, "material"),
        ({"quantity": "0", "due_date": "2099-01-01"}, "quantity"),
        ({"quantity": "1", "due_date": "2001-01-01"}, "due_date"),
        ({"quantity": "1", "due_date": "soon"}, "due_date"),
        ({"quantity": "1", "due_date": "2099-01-01", "priority": "asap"}, "priority"),
    ],
)
def test_bad_input_is_refused_field_by_field(api_as, planner, shaft, body, field):
    body = {"material": shaft.code, **body}
    r = api_as(planner).post(URL, body)
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "validation_error"
    assert field in str(r.json()["details"])


def test_unknown_fields_are_refused(api_as, planner, shaft):
    r = api_as(planner).post(URL, {**_body(shaft, 10), "save": True})
    assert r.status_code == 422


@pytest.mark.parametrize(
    "role,status",
    [("admin", 200), ("manager", 200), ("planner", 200), ("sales", 403), ("supervisor", 403),
     ("operator", 403), ("qc", 403), ("warehouse", 403), ("purchasing", 403), ("finance", 403)],
)  # fmt: skip
def test_permission_matrix(api_as, shaft, busy, role, status):
    before = _rows()
    r = api_as(make_user(role, username=f"u_{role}")).post(URL, _body(shaft, 10))
    assert r.status_code == status, r.content
    assert _rows() == before


def test_the_schedule_page_panel_answers_and_saves_nothing(client, planner, shaft, busy):
    client.force_login(planner)
    page = client.get("/production/schedule/").content.decode()
    assert 'id="what-if"' in page
    before = _rows()
    body = {**_body(shaft, 2, qty="200", priority="critical")}
    r = client.post("/production/schedule/what-if/", body, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    html = r.content.decode()
    assert busy[0].number in html and busy[1].number not in html
    assert _rows() == before


def test_the_panel_shows_field_errors(client, planner, shaft):
    client.force_login(planner)
    r = client.post("/production/schedule/what-if/", {"material": shaft.code, "quantity": "x"})
    assert r.status_code == 200
    assert 'data-field="quantity"' in r.content.decode()
    assert 'data-field="due_date"' in r.content.decode()


def test_the_panel_is_refused_to_sales(client, sales_east, shaft):
    client.force_login(sales_east)
    r = client.post("/production/schedule/what-if/", _body(shaft, 5))
    assert r.status_code == 403
