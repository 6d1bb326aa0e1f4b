"""Lists and details cost the same number of queries however much data they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MaterialFactory, make_order, make_user
from zhongshu.orders.services import order_transition, order_update

pytestmark = pytest.mark.django_db


def _queries(api, path, params=None):
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path, params)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries), r.json()


def test_the_order_list_costs_the_same_for_5_and_50_orders(api_as, sales_east, customer_east):
    for _ in range(50):
        make_order(actor=sales_east, customer=customer_east)
    api = api_as(sales_east)
    api.get("/api/v1/me")  # the token's first use records last_used_at; keep it out of the count
    small, body_small = _queries(api, "/api/v1/orders", {"limit": 5})
    large, body_large = _queries(api, "/api/v1/orders", {"limit": 50})
    assert (len(body_small["items"]), len(body_large["items"])) == (5, 50)
    assert small == large
    assert large <= 5


def test_an_order_costs_the_same_with_2_or_20_lines_and_events(api_as, sales_east, customer_east):
    planner = make_user("planner")
    few = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": MaterialFactory().code, "quantity": 1} for _ in range(2)],
    )
    many = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": MaterialFactory().code, "quantity": 1} for _ in range(20)],
    )
    for i in range(9):
        order_transition(actor=sales_east, order_id=many.pk, action="submit")
        order_transition(actor=planner, order_id=many.pk, action="reject", note=f"第{i}次")
    many.refresh_from_db()
    order_update(actor=sales_east, order_id=many.pk, version=many.version, data={"note": "改"})
    api = api_as(sales_east)
    api.get("/api/v1/me")
    n_few, body_few = _queries(api, f"/api/v1/orders/{few.pk}")
    n_many, body_many = _queries(api, f"/api/v1/orders/{many.pk}")
    assert (len(body_few["lines"]), len(body_many["lines"])) == (2, 20)
    assert (len(body_few["timeline"]), len(body_many["timeline"])) == (1, 20)
    assert n_few == n_many
    assert n_many <= 9  # incl. the custom field definitions of orders and of lines, once each
