"""The segment list through the API and the page: the same figures, filters, and a number of
queries that does not grow with the number of customers."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.analytics.histories import add_orders
from tests.conftest import ApiClient
from tests.factories import CustomerFactory, make_user
from zhongshu.analytics import segments

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.analytics.insight_urlconf")]


def book(n: int, region):
    owner = make_user("sales", regions=(region.name,))
    today = timezone.localdate()
    for i in range(n):
        c = CustomerFactory(region=region)
        add_orders(c, owner, [100 + i, 130 + i, 160 + i], today=today, amount="2000")


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_api_and_page_cost_the_same_few_queries_at_3_and_30_customers(east, admin_user):
    api = ApiClient(admin_user)
    page = Client()
    page.force_login(admin_user)
    book(3, east)
    segments.recompute()
    api.get("/api/v1/analytics/segments")  # warm up: the token's first use records it
    small = (count_queries(lambda: api.get("/api/v1/analytics/segments")),
             count_queries(lambda: page.get("/analytics/segments/")))  # fmt: skip
    book(27, east)
    segments.recompute()
    big = (count_queries(lambda: api.get("/api/v1/analytics/segments")),
           count_queries(lambda: page.get("/analytics/segments/")))  # fmt: skip
    assert big == small
    assert max(big) <= 12


def test_filter_by_tier_and_search(east, admin_user):
    book(2, east)
    new = CustomerFactory(region=east, name="新来的客户")
    add_orders(new, admin_user, [3], today=timezone.localdate(), amount="800")
    segments.recompute()
    api = ApiClient(admin_user)
    items = api.get("/api/v1/analytics/segments?tier=new").json()["items"]
    assert [i["customer"] for i in items] == [new.code]
    assert items[0]["tier_label"] and items[0]["orders"] == 1
    items = api.get("/api/v1/analytics/segments", {"q": "新来"}).json()["items"]
    assert [i["customer"] for i in items] == [new.code]
    summary = api.get("/api/v1/analytics/segments/summary").json()
    assert [t["tier"] for t in summary["tiers"]] == ["key", "growing", "at_risk", "new", "regular"]
    assert summary["computed_at"] is not None


def test_a_customer_not_computed_yet_is_404(east, admin_user):
    c = CustomerFactory(region=east)
    r = ApiClient(admin_user).get(f"/api/v1/analytics/segments/{c.code}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_recompute_command_prints_counts(east, capsys):
    from django.core.management import call_command

    book(2, east)
    call_command("segments")
    assert "2 customers" in capsys.readouterr().out
