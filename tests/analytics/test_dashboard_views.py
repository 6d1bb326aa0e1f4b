"""The dashboard page, its polled fragment and the API: same numbers, CSP-clean charts, drill-down
links, a bounded number of queries, and "/" leading each role to its home."""

import random
import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.analytics.world import build_master, build_orders, build_stock
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-kpi="([^"]+)">([^<]*)<', html))


@pytest.fixture
def book():
    rng = random.Random(11)
    customers, users = build_master(rng)
    orders = build_orders(rng, 80, customers, users["sales"], timezone.now())
    build_stock(rng, orders)
    return users


@pytest.mark.parametrize("role", ["admin", "sales"])
def test_page_and_api_show_the_same_numbers(book, role, api_as):
    # given a user and a random order book
    user = book[role]

    # when the page and the API are asked
    html = _login(user).get("/dashboard/").content.decode()
    data = api_as(user).get("/api/v1/dashboard").json()

    # then each figure on the page is the API's
    figures = _figures(html)
    p, o, t, m = data["pending_today"], data["overdue"], data["on_time_rate"], data["month_orders"]
    assert figures["awaiting_review"] == str(p["awaiting_review"])
    assert figures["awaiting_scheduling"] == str(p["awaiting_scheduling"])
    assert figures["awaiting_my_approval"] == "0"  # no approvals app plugged in
    assert figures["due_today"] == str(p["due_today"])
    assert figures["overdue_total"] == str(o["total"])
    for b in o["by_days"]:
        assert figures[f"overdue_{b['key']}"] == str(b["count"])
    for s in o["by_stage"]:
        assert figures[f"stage_{s['status']}"] == str(s["count"])
    assert figures["on_time_rate"] == ("–" if t["rate"] is None else f"{t['rate']}%")
    assert figures["on_time_shipped"] == str(t["shipped"])
    assert figures["month_count"] == str(m["this_month"]["count"])
    assert figures["month_amount"] == f"¥{float(m['this_month']['amount']):,.2f}"
    assert figures["below_safety"] == str(data["stock_alerts"]["below_safety_levels"])
    assert figures["short_materials"] == str(data["stock_alerts"]["short_materials"])
    assert set(data) >= {"pending_today", "overdue", "line_load", "on_time_rate",
                         "month_orders", "stock_alerts"}  # fmt: skip


def test_charts_are_inline_svg_without_inline_script_or_style(book):
    html = _login(book["admin"]).get("/dashboard/").content.decode()

    assert html.count("<svg") >= 6
    assert "<script>" not in html and "<script " not in html.split("</head>")[1]
    assert "<style" not in html
    assert ' style="' not in html
    assert "/static/analytics/charts.css" in html
    # every bar of the overdue chart is a link to the matching filtered order list
    assert 'xlink:href="/orders/?status=draft&amp;status=pending_review' in html


def test_drill_down_links_open_the_filtered_lists(book, api_as):
    admin = book["admin"]
    data = api_as(admin).get("/api/v1/dashboard").json()
    client = _login(admin)
    urls = [data["overdue"]["url"], data["pending_today"]["urls"]["due_today"],
            *[b["url"] for b in data["overdue"]["by_days"]],
            *[s["url"] for s in data["overdue"]["by_stage"]],
            data["stock_alerts"]["below_safety_url"],
            *[s["url"] for s in data["stock_alerts"]["short"]]]  # fmt: skip
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_month_card_opens_exactly_the_orders_it_counts(book, api_as):
    api = api_as(book["admin"])
    month = api.get("/api/v1/dashboard").json()["month_orders"]
    query = month["url"].split("?", 1)[1]
    listed, cursor = [], None
    while True:
        page = api.get(
            f"/api/v1/orders?{query}&limit=200" + (f"&cursor={cursor}" if cursor else "")
        )
        listed += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert month["this_month"]["count"] > 0
    assert len(listed) == month["this_month"]["count"]


def test_the_grid_fragment_polls_every_minute(book):
    client = _login(book["admin"])
    page = client.get("/dashboard/").content.decode()
    assert 'hx-get="/dashboard/grid/"' in page and 'hx-trigger="every 60s"' in page

    fragment = client.get("/dashboard/grid/", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert body.startswith('<div id="kpi-grid"') and "<html" not in body
    assert _figures(body) == _figures(page)


def test_cards_follow_what_the_role_may_see(book, api_as):
    # sales see stock but not production; QC see production but not stock
    sales = api_as(book["sales"]).get("/api/v1/dashboard").json()
    qc = api_as(book["qc"]).get("/api/v1/dashboard").json()
    assert sales["line_load"] is None and sales["stock_alerts"] is not None
    assert qc["line_load"] is not None and qc["stock_alerts"] is None
    html = _login(book["qc"]).get("/dashboard/").content.decode()
    assert 'id="kpi-stock"' not in html and 'id="kpi-load"' in html
    html = _login(book["sales"]).get("/dashboard/").content.decode()
    assert 'id="kpi-stock"' in html and 'id="kpi-load"' not in html


@pytest.mark.parametrize("n", [10, 200])
def test_page_and_api_run_a_fixed_number_of_queries(n, django_assert_max_num_queries, api_as):
    rng = random.Random(n)
    customers, users = build_master(rng)
    orders = build_orders(rng, n, customers, users["sales"], timezone.now())
    build_stock(rng, orders)
    for role in ("admin", "sales"):
        client = _login(users[role])
        api = api_as(users[role])
        # 12, the order queues' grouped count (the saved views are read only when a queue has
        # open orders) and the line-load card's paused tasks and lines (one query of their own)
        with django_assert_max_num_queries(14):
            assert client.get("/dashboard/").status_code == 200
        with django_assert_max_num_queries(13):
            assert api.get("/api/v1/dashboard").status_code == 200


# --- where "/" leads --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,expected",
    [
        ("manager", "/dashboard/"),
        ("sales", "/orders/"),
        ("planner", "/planning/"),
        ("qc", "/qc/"),
        ("finance", "/finance/"),
        ("warehouse", "/inventory/"),
        ("supervisor", "/production/"),
    ],
)
def test_home_leads_each_role_to_its_own_page(role, expected):
    assert _login(make_user(role)).get("/")["Location"] == expected


def test_home_leads_operators_to_their_tasks_or_their_account():
    from django.urls import Resolver404, resolve

    try:
        resolve("/production/my/")
        expected = "/production/my/"
    except Resolver404:
        expected = "/account/"
    assert _login(make_user("operator")).get("/")["Location"] == expected
    assert _login(make_user("operator")).get("/dashboard/").status_code == 403


def test_bad_methods_and_anonymous_users_are_refused(book, api_as):
    assert Client().get("/dashboard/")["Location"].startswith("/login/")
    assert Client().get("/api/v1/dashboard").status_code == 401
    assert _login(book["admin"]).post("/dashboard/").status_code == 405
