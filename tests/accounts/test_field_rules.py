"""Field rules: the warehouse ships orders but does not change what or when was ordered."""

import datetime as dt

import pytest

from tests.factories import make_order, make_user
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db


def _snapshot(order):
    order.refresh_from_db()
    lines = [(ln.material_id, ln.quantity, ln.unit_price) for ln in order.lines.all()]
    return (order.priority, order.due_date, order.version, order.note, lines)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"priority": "critical"}, id="priority"),
        pytest.param({"due_date": "later"}, id="due_date"),
        pytest.param({"lines": [{"line_no": 1, "material": "M-1", "quantity": "300"}]}, id="qty"),
    ],
)
def test_warehouse_may_not_change_quantity_priority_or_due_date(api_as, body):
    sales = make_user("sales", regions=("华东",))
    order = make_order(actor=sales)
    line = order.lines.first()
    if "due_date" in body:
        body = {"due_date": (order.due_date + dt.timedelta(days=9)).isoformat()}
    if "lines" in body:
        body = {
            "lines": [{"line_no": line.line_no, "material": line.material.code, "quantity": "300"}]
        }
    before = _snapshot(order)
    response = api_as(make_user("warehouse")).patch(
        f"/api/v1/orders/{order.pk}", {"version": order.version, **body}
    )
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "forbidden_field"
    assert _snapshot(Order.objects.get(pk=order.pk)) == before


@pytest.mark.parametrize("role", ["sales", "planner", "admin"])
def test_sales_and_planning_still_change_them(api_as, role):
    sales = make_user("sales", regions=("华东",))
    order = make_order(actor=sales)
    user = sales if role == "sales" else make_user(role)
    response = api_as(user).patch(
        f"/api/v1/orders/{order.pk}", {"version": order.version, "priority": "critical"}
    )
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.priority == "critical"


def test_warehouse_still_edits_the_note(api_as):
    order = make_order(actor=make_user("sales", regions=("华东",)))
    response = api_as(make_user("warehouse")).patch(
        f"/api/v1/orders/{order.pk}", {"version": order.version, "note": "仓库备注"}
    )
    assert response.status_code == 200, response.content
