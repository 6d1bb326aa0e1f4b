"""The forecast over real order history: one aggregate query for every product's history, the
method back-testing picks per product with its WAPE next to seasonal naive's, the forecasts page
and API, and the forecast feeding MRP net of the orders already booked."""

import datetime as dt
import itertools
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory, MaterialFactory, make_order, make_user
from tests.planning.conftest import intermittent_series, seasonal_series
from zhongshu.orders.models import Order, OrderLine
from zhongshu.planning import forecast, services
from zhongshu.planning.models import ProductForecast, PurchaseSuggestion
from zhongshu.production.models import BomLine

TODAY = dt.date(2026, 6, 15)  # current bucket: June 2026 (monthly) / week of 15 June (weekly)
_numbers = itertools.count(1)


def history(product, quantities, *, bucket="month", status="completed", customer=None):
    """Orders for ``product``, one per non-zero bucket, the last bucket just before TODAY's."""
    owner = make_user("sales")
    customer = customer or CustomerFactory()
    current = forecast.bucket_start(TODAY, bucket)
    n = len(quantities)
    for i, q in enumerate(quantities):
        if not q:
            continue
        due = forecast.shift(current, bucket, i - n) + dt.timedelta(days=2)
        order = Order.objects.create(
            number=f"H-{next(_numbers):07d}", customer=customer, sales_owner=owner,
            due_date=due, status=status, created_by=owner,
        )  # fmt: skip
        q = D(round(q))
        OrderLine.objects.create(
            order=order, line_no=1, material=product, quantity=q, unit_price=D(1), amount=q,
            fulfilment="stock",
        )  # fmt: skip


@pytest.fixture
def buyer(db):
    return make_user("purchasing", username="buyer_li")


def test_history_of_every_product_is_one_aggregate_query(buyer):
    a, b = MaterialFactory(code="FG-A"), MaterialFactory(code="FG-B")
    history(a, [5, 0, 7])
    history(b, [0, 3, 0, 0])
    history(MaterialFactory(code="RAW-X", kind="raw"), [9, 9])  # not a finished product
    history(a, [100], status="cancelled")  # cancelled orders are not demand
    with CaptureQueriesContext(connection) as queries:
        first, series = forecast.histories("month", TODAY)
    assert len(queries) == 1
    assert first == dt.date(2026, 6, 1)
    # each series runs from the product's first demand to May 2026, zeros filled
    assert series == {a.pk: [5.0, 0.0, 7.0], b.pk: [3.0, 0.0, 0.0]}


def test_run_picks_a_method_per_product_and_shows_wape_next_to_naive(buyer):
    seasonal = MaterialFactory(code="FG-SEASON", name="空调外壳")
    sparse = MaterialFactory(code="FG-SPARSE", name="备件包")
    history(seasonal, seasonal_series(0, 48))
    history(sparse, intermittent_series(3, 130), bucket="week")
    run = services.forecast_run(actor=buyer, bucket="month", today=TODAY)
    assert (run.first_period, run.horizon, run.stats["products"]) == (dt.date(2026, 6, 1), 6, 2)
    fc = ProductForecast.objects.get(material=seasonal)
    assert fc.method == "holt_winters" and fc.wape < fc.naive_wape
    assert fc.history_periods == 48 and len(fc.values) == 6
    # the same series in weekly buckets: the sparse product is intermittent
    services.forecast_run(actor=buyer, bucket="week", today=TODAY)
    weekly = ProductForecast.objects.get(material=sparse)
    assert weekly.intermittent and weekly.method in {"croston", "sba"}
    assert weekly.wape < weekly.naive_wape
    assert ProductForecast.objects.count() == 2  # the monthly run's rows were replaced


def test_forecasts_page_and_api(buyer, api_as):
    product = MaterialFactory(code="FG-SEASON", name="空调外壳")
    history(product, seasonal_series(0, 48))
    api = api_as(buyer)
    r = api.post("/api/v1/planning/forecasts/runs", {"bucket": "month", "today": "2026-06-15"})
    assert r.status_code == 201 and r.json()["stats"]["products"] == 1
    body = api.get("/api/v1/planning/forecasts").json()
    [item] = body["items"]
    assert (item["material"], item["method"]) == ("FG-SEASON", "holt_winters")
    assert D(item["wape"]) < D(item["naive_wape"])
    assert [p["start"] for p in item["periods"][:2]] == ["2026-06-01", "2026-07-01"]
    assert api.get("/api/v1/planning/forecasts/fg-season").json()["method"] == "holt_winters"
    assert api.get("/api/v1/planning/forecasts/NOPE").status_code == 404
    r = api.post("/api/v1/planning/forecasts/runs", {"bucket": "month", "horizon": 99})
    assert (r.status_code, r.json()["details"]["errors"][0]["field"]) == (422, "horizon")
    client = Client()
    client.force_login(buyer)
    html = client.get("/planning/forecasts/").content.decode()
    wape = round(ProductForecast.objects.get().wape * 100)
    naive = round(ProductForecast.objects.get().naive_wape * 100)
    assert "FG-SEASON" in html and f"{wape}%" in html and f"{naive}%" in html


@pytest.mark.parametrize("n", [3, 30])
def test_forecast_list_query_count_does_not_grow(buyer, api_as, n):
    for i in range(n):
        history(MaterialFactory(code=f"FG-{i:03d}"), [4, 0, 6, 5, 0, 3])
    services.forecast_run(actor=buyer, today=TODAY)
    client = Client()
    client.force_login(buyer)
    client.get("/planning/forecasts/")
    with CaptureQueriesContext(connection) as page:
        assert client.get("/planning/forecasts/").status_code == 200
    with CaptureQueriesContext(connection) as listing:
        assert api_as(buyer).get("/api/v1/planning/forecasts").status_code == 200
    assert len(page) <= 12, [q["sql"] for q in page]
    assert len(listing) <= 10, [q["sql"] for q in listing]  # 4 of them authenticate the token


def test_mrp_with_forecast_adds_what_booked_orders_do_not_cover(buyer):
    """A steady 100 a month of a product made of 2 panels; 30 already booked for July."""
    product = MaterialFactory(code="FG-BOX", fulfilment="make", lead_time_days=0)
    panel = MaterialFactory(code="PANEL", kind="raw", lead_time_days=0)
    BomLine.objects.create(product=product, component=panel, quantity_per_unit=D(2))
    history(product, [100] * 24)
    run = services.forecast_run(actor=buyer, today=TODAY, horizon=2)
    fc = ProductForecast.objects.get()
    assert fc.values == ["100.000", "100.000"]  # June, July
    # booked for July: 30 (pending review: booked, not yet open demand for MRP)
    admin = make_user("admin")
    line = {"material": "FG-BOX", "quantity": "30", "unit_price": "1"}
    july = make_order(actor=admin, lines=[line], status="pending_review")
    Order.objects.filter(pk=july.pk).update(due_date=dt.date(2026, 7, 20))
    extra = forecast.extra_demand(run, TODAY)
    assert extra == {product.pk: {TODAY: D(100), dt.date(2026, 7, 1): D(70)}}
    # open orders only: nothing to buy; with the forecast: panels for 100 today and 70 in July
    services.mrp_run(actor=buyer, today=TODAY)
    assert not PurchaseSuggestion.objects.exists()
    services.mrp_run(actor=buyer, today=TODAY, demand="orders_forecast")
    rows = list(PurchaseSuggestion.objects.order_by("need_date").values_list(
        "material__code", "quantity", "need_date", "reason", "peg_count"))  # fmt: skip
    assert rows == [("PANEL", D(200), TODAY, "forecast", 0),
                    ("PANEL", D(140), dt.date(2026, 7, 1), "forecast", 0)]  # fmt: skip


def test_mrp_refuses_an_unknown_demand_option(buyer, api_as):
    r = api_as(buyer).post("/api/v1/planning/runs", {"demand": "everything"})
    assert r.status_code == 422
