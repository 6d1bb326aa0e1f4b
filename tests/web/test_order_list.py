import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import CustomerFactory, make_order


def _numbers(html: str) -> list[str]:
    return re.findall(r">(SO-\d{4}-\d{6})<", html)


@pytest.fixture
def orders(sales_east, customer_east, east):
    other = CustomerFactory(code="C-OTHER", name="无锡液压", region=east)
    draft = make_order(actor=sales_east, customer=customer_east, due_in_days=5)
    pending = make_order(
        actor=sales_east,
        customer=customer_east,
        due_in_days=20,
        status="pending_review",
        priority="urgent",
    )
    other_draft = make_order(actor=sales_east, customer=other, due_in_days=40)
    return {"draft": draft, "pending": pending, "other": other_draft}


def test_list_shows_orders_newest_first_with_badges_and_amounts(client_as, sales_east, orders):
    response = client_as(sales_east).get("/orders/")

    assert response.status_code == 200
    html = response.content.decode()
    assert _numbers(html) == [
        orders["other"].number,
        orders["pending"].number,
        orders["draft"].number,
    ]
    assert '<span class="badge badge-amber">待审核</span>' in html
    assert '<span class="badge badge-grey">草稿</span>' in html
    assert "¥20.00" not in html  # amounts include tax: 2 × 10 + 13% = 22.60
    assert "¥22.60" in html


def test_sales_never_see_other_regions(client_as, sales_north, orders):
    html = client_as(sales_north).get("/orders/").content.decode()

    assert _numbers(html) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=pending_review", ["pending"]),
        ("status=pending_review&status=draft", ["other", "pending", "draft"]),
        ("customer=c-other", ["other"]),
        ("priority=urgent", ["pending"]),
        ("q=无锡", ["other"]),
        ("q=苏州", ["pending", "draft"]),
    ],
)
def test_filters(client_as, sales_east, orders, query, expected):
    html = client_as(sales_east).get(f"/orders/?{query}").content.decode()

    assert _numbers(html) == [orders[k].number for k in expected]


def test_due_date_range_filter(client_as, sales_east, orders):
    today = timezone.localdate()
    start = (today + dt.timedelta(days=10)).isoformat()
    end = (today + dt.timedelta(days=30)).isoformat()

    html = client_as(sales_east).get(f"/orders/?due_from={start}&due_to={end}").content.decode()

    assert _numbers(html) == [orders["pending"].number]


def test_order_date_range_filter_counts_whole_local_days(client_as, api_as, sales_east, orders):
    # given orders entered on three days: 23:30 local time on the 1st, the 2nd, and the 3rd
    from zhongshu.orders.models import Order

    tz = timezone.get_current_timezone()
    day = dt.date(2026, 11, 1)
    for key, when in (
        ("draft", dt.datetime(2026, 11, 1, 23, 30, tzinfo=tz)),
        ("pending", dt.datetime(2026, 11, 2, 0, 0, tzinfo=tz)),
        ("other", dt.datetime(2026, 11, 3, 8, 0, tzinfo=tz)),
    ):
        Order.objects.filter(pk=orders[key].pk).update(created_at=when)
    query = f"created_from={day.isoformat()}&created_to={(day + dt.timedelta(days=1)).isoformat()}"

    # when the sales user lists the orders of the 1st and 2nd, on the web and through the API
    html = client_as(sales_east).get(f"/orders/?{query}").content.decode()
    items = api_as(sales_east).get(f"/api/v1/orders?{query}").json()["items"]

    # then both days count whole, in local time, and the 3rd is out
    expected = [orders["pending"].number, orders["draft"].number]
    assert _numbers(html) == expected
    assert [o["number"] for o in items] == expected


def test_order_number_search(client_as, sales_east, orders):
    html = client_as(sales_east).get(f"/orders/?q={orders['draft'].number}").content.decode()

    assert _numbers(html) == [orders["draft"].number]


def test_htmx_request_returns_only_the_table(client_as, sales_east, orders):
    response = client_as(sales_east).get(
        "/orders/?status=draft", headers={"HX-Request": "true", "HX-Target": "order-table"}
    )

    html = response.content.decode()
    assert "<html" not in html
    assert "<table" in html
    assert _numbers(html) == [orders["other"].number, orders["draft"].number]
    assert "HX-Request" in response["Vary"]


def test_filter_form_uses_htmx_and_pushes_the_url(client_as, sales_east, orders):
    html = client_as(sales_east).get("/orders/").content.decode()

    assert 'hx-get="/orders/" hx-target="#order-table" hx-push-url="true"' in html


def test_keyset_pagination_keeps_filters(client_as, sales_east, customer_east):
    made = [make_order(actor=sales_east, customer=customer_east) for _ in range(5)]
    client = client_as(sales_east)

    first = client.get("/orders/?limit=2&priority=normal").content.decode()
    assert _numbers(first) == [made[4].number, made[3].number]
    link = re.search(r'href="/orders/\?([^"]+)"[^>]*>下一页<', first).group(1).replace("&amp;", "&")
    assert link == f"limit=2&priority=normal&cursor={made[3].pk}"

    second = client.get(f"/orders/?{link}").content.decode()
    assert _numbers(second) == [made[2].number, made[1].number]

    last = client.get(f"/orders/?limit=2&priority=normal&cursor={made[1].pk}").content.decode()
    assert _numbers(last) == [made[0].number]
    assert "下一页" not in last


def test_bad_filter_values_do_not_crash(client_as, sales_east, orders):
    response = client_as(sales_east).get(
        "/orders/?due_from=not-a-date&status=bogus&priority=zzz&cursor=x&limit=-5"
    )

    assert response.status_code == 200


def _list_queries(client, n: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/orders/?limit={n}")
    assert response.status_code == 200
    assert len(_numbers(response.content.decode())) == n
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_page_size(client_as, sales_east, east):
    customers = [CustomerFactory(region=east) for _ in range(5)]
    for i in range(50):
        make_order(actor=sales_east, customer=customers[i % 5])
    client = client_as(sales_east)
    client.get("/orders/")  # warm the session

    small = _list_queries(client, 5)
    large = _list_queries(client, 50)

    assert small == large
    assert large <= 9  # the 9th: the total count of matching orders above the table


def test_a_due_filtered_list_pages_by_due_date_then_id(client_as, sales_east, customer_east):
    made = [
        make_order(actor=sales_east, customer=customer_east, due_in_days=d)
        for d in (7, 3, 7, 3, 5, 60)
    ]
    client = client_as(sales_east)
    to = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    expected = [o.number for o in sorted(made[:5], key=lambda o: (o.due_date, o.pk))]
    seen, query, pages = [], f"limit=2&due_to={to}", 0
    while query:
        html = client.get(f"/orders/?{query}").content.decode()
        seen += _numbers(html)
        pages += 1
        link = re.search(r'href="/orders/\?([^"]+)"[^>]*>下一页<', html)
        query = link.group(1).replace("&amp;", "&") if link else None

    assert seen == expected
    assert pages == 3
    damaged = client.get(f"/orders/?limit=2&due_to={to}&cursor=2026-99-99.1")
    assert damaged.status_code == 200
    assert _numbers(damaged.content.decode()) == expected[:2]
