"""Region scope on every read path (SPEC §2): other regions simply do not exist for sales."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_order, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(sales_east, sales_north, customer_east, customer_north):
    """Two orders per region, one urgent and one normal, one submitted."""
    east = [
        make_order(actor=sales_east, customer=customer_east, priority="urgent", due_in_days=5),
        make_order(
            actor=sales_east, customer=customer_east, due_in_days=40, status="pending_review"
        ),
    ]
    north = [
        make_order(actor=sales_north, customer=customer_north, priority="urgent", due_in_days=5),
        make_order(
            actor=sales_north, customer=customer_north, due_in_days=40, status="pending_review"
        ),
    ]
    return {"east": east, "north": north}


def _numbers(r):
    assert r.status_code == 200, r.content
    return sorted(o["number"] for o in r.json()["items"])


def _nums(orders):
    return sorted(o.number for o in orders)


def _date(days):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"status": "draft"},
        {"status": ["draft", "pending_review"]},
        {"priority": "urgent"},
        {"due_before": _date(10)},
        {"due_after": _date(10)},
        {"limit": 1},
    ],
)
def test_sales_lists_only_their_regions_orders_with_every_filter(api_as, book, sales_east, filters):
    r = api_as(sales_east).get("/api/v1/orders", filters)
    numbers = _numbers(r)
    assert numbers
    assert set(numbers) <= set(_nums(book["east"]))
    assert not set(numbers) & set(_nums(book["north"]))
    # the same filter as an admin shows both regions' matches
    everything = _numbers(api_as(make_user("admin")).get("/api/v1/orders", filters))
    if "limit" not in filters:
        assert set(everything) & set(_nums(book["north"]))
        assert sorted(set(everything) & set(_nums(book["east"]))) == numbers


@pytest.mark.parametrize("q", ["天津重工", "天津", "C-NORTH", "c-north"])
def test_searching_another_regions_customer_finds_nothing(api_as, book, sales_east, q):
    assert _numbers(api_as(sales_east).get("/api/v1/orders", {"q": q})) == []
    assert _numbers(api_as(make_user("planner")).get("/api/v1/orders", {"q": q})) == _nums(
        book["north"]
    )


def test_searching_another_regions_order_number_or_customer_filter_finds_nothing(
    api_as, book, sales_east
):
    api = api_as(sales_east)
    north = book["north"][0]
    assert _numbers(api.get("/api/v1/orders", {"q": north.number})) == []
    assert _numbers(api.get("/api/v1/orders", {"customer": "C-NORTH"})) == []
    assert _numbers(api.get("/api/v1/orders", {"q": "苏州"})) == _nums(book["east"])
    assert _numbers(api.get("/api/v1/orders", {"customer": "c-east"})) == _nums(book["east"])


def test_sales_reads_single_orders_of_their_region_only(api_as, book, sales_east):
    api = api_as(sales_east)
    for order in book["east"]:
        assert api.get(f"/api/v1/orders/{order.pk}").json()["number"] == order.number
    for order in book["north"]:
        r = api.get(f"/api/v1/orders/{order.pk}")
        assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_customers_are_scoped_by_region(api_as, book, sales_east):
    api = api_as(sales_east)
    r = api.get("/api/v1/customers")
    assert [c["code"] for c in r.json()["items"]] == ["C-EAST"]
    assert r.json()["count"] == 1
    assert api.get("/api/v1/customers", {"q": "天津"}).json()["items"] == []
    assert api.get("/api/v1/customers", {"region": "华北"}).json()["items"] == []
    assert api.get("/api/v1/customers/C-EAST").json()["region"] == "华东"
    assert api.get("/api/v1/customers/C-NORTH").status_code == 404


def test_a_user_with_two_regions_sees_both(api_as, book):
    both = make_user("sales", regions=("华东", "华北"))
    api = api_as(both)
    assert _numbers(api.get("/api/v1/orders")) == sorted(_nums(book["east"]) + _nums(book["north"]))
    assert [c["code"] for c in api.get("/api/v1/customers").json()["items"]] == [
        "C-EAST",
        "C-NORTH",
    ]
    assert api.get(f"/api/v1/orders/{book['north'][0].pk}").status_code == 200


def test_a_sales_user_without_regions_sees_nothing(api_as, book):
    api = api_as(make_user("sales"))
    assert _numbers(api.get("/api/v1/orders")) == []
    assert api.get("/api/v1/customers").json()["items"] == []


@pytest.mark.parametrize(
    "role", ["admin", "manager", "planner", "warehouse", "finance", "purchasing"]
)
def test_roles_with_all_order_scope_see_all(api_as, book, role):
    api = api_as(make_user(role))
    assert _numbers(api.get("/api/v1/orders")) == sorted(_nums(book["east"]) + _nums(book["north"]))
    assert [c["code"] for c in api.get("/api/v1/customers").json()["items"]] == [
        "C-EAST",
        "C-NORTH",
    ]
    for order in book["east"] + book["north"]:
        assert api.get(f"/api/v1/orders/{order.pk}").status_code == 200


def test_qc_and_supervisor_see_only_their_stages(api_as, book, sales_east, customer_east, no_hooks):
    in_production = make_order(actor=sales_east, customer=customer_east, status="in_production")
    shipped = make_order(actor=sales_east, customer=customer_east, status="shipped")
    confirmed = make_order(actor=sales_east, customer=customer_east, status="confirmed")
    assert _numbers(api_as(make_user("qc")).get("/api/v1/orders")) == sorted(
        [in_production.number, shipped.number]
    )
    assert _numbers(api_as(make_user("supervisor")).get("/api/v1/orders")) == sorted(
        [in_production.number, confirmed.number]
    )
