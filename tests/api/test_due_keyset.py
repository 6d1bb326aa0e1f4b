"""The order list in due-date order pages by a (due date, id) cursor through the API."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_order

pytestmark = pytest.mark.django_db

# due in days for each order made: ties on several dates, made out of date order
DUE_DAYS = [9, 3, 9, 3, 5, 3, 12, 5, 9, 3, 30]


@pytest.fixture
def due_orders(sales_east, customer_east):
    return [make_order(actor=sales_east, customer=customer_east, due_in_days=d) for d in DUE_DAYS]


def _walk(api, params: dict) -> tuple[list[str], int]:
    seen, cursor, pages = [], None, 0
    while True:
        body = api.get("/api/v1/orders", params | ({"cursor": cursor} if cursor else {})).json()
        seen += [o["number"] for o in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages
        assert isinstance(cursor, str)


def _expected(orders, *, before_days: int, reverse: bool = False) -> list[str]:
    last = timezone.localdate() + dt.timedelta(days=before_days)
    kept = [o for o in orders if o.due_date <= last]
    return [o.number for o in sorted(kept, key=lambda o: (o.due_date, o.pk), reverse=reverse)]


def test_a_due_filtered_list_visits_every_order_once_in_due_then_id_order(
    api_as, sales_east, due_orders
):
    before = (timezone.localdate() + dt.timedelta(days=12)).isoformat()
    seen, pages = _walk(api_as(sales_east), {"limit": 3, "due_before": before})

    assert seen == _expected(due_orders, before_days=12)
    assert len(seen) == 10 and pages == 4


def test_sorted_by_due_date_descending_pages_backwards(api_as, sales_east, due_orders):
    seen, _pages = _walk(api_as(sales_east), {"limit": 4, "sort": "-due_date"})

    assert seen == _expected(due_orders, before_days=30, reverse=True)


def test_clients_paging_by_offset_keep_working(api_as, sales_east, due_orders):
    api = api_as(sales_east)
    seen, params = [], {"limit": 4, "sort": "due_date"}
    while True:
        body = api.get("/api/v1/orders", params).json()
        seen += [o["number"] for o in body["items"]]
        if body["next_offset"] is None:
            break
        params = params | {"offset": body["next_offset"]}

    assert seen == _expected(due_orders, before_days=30)


def test_the_newest_first_list_keeps_its_numeric_cursor(api_as, sales_east, due_orders):
    body = api_as(sales_east).get("/api/v1/orders", {"limit": 3}).json()

    assert body["next_cursor"] == due_orders[-3].pk


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "due_date", "cursor": "2026-02-30.5"},
        {"sort": "due_date", "cursor": "12"},
        {"sort": "due_date", "cursor": "2026-01-01"},
        {"sort": "due_date", "cursor": "2026-01-01.x"},
        {"cursor": "2026-01-01.5"},
        {"cursor": "99999999999999999999"},
        {"cursor": "9999999999999999999"},
        {"cursor": "-1"},
        {"cursor": "1" * 50},
    ],
)
def test_a_malformed_cursor_is_refused(api_as, sales_east, due_orders, params):
    response = api_as(sales_east).get("/api/v1/orders", params)

    assert response.status_code == 422, response.content


def test_a_due_page_costs_the_same_queries_however_deep(api_as, sales_east, due_orders):
    api = api_as(sales_east)
    first = api.get("/api/v1/orders", {"limit": 2, "sort": "due_date"}).json()
    with CaptureQueriesContext(connection) as top:
        api.get("/api/v1/orders", {"limit": 2, "sort": "due_date"})
    with CaptureQueriesContext(connection) as deep:
        body = api.get(
            "/api/v1/orders", {"limit": 2, "sort": "due_date", "cursor": first["next_cursor"]}
        ).json()

    assert len(body["items"]) == 2
    assert len(deep.captured_queries) == len(top.captured_queries) <= 6


def test_a_cursor_of_the_other_order_is_refused_in_chinese(api_as, sales_east, due_orders):
    response = api_as(sales_east).get("/api/v1/orders", {"sort": "due_date", "cursor": "12"})

    assert response.status_code == 422
    assert "此分页游标不属于当前列表的排序" in str(response.json()["details"])
