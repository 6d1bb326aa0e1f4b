"""Purchasing works the suggestions through the API and the page: filters, edit, accept,
dismiss, export — and the list costs a fixed number of queries however many rows it shows."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from tests.factories import MaterialFactory, make_order, make_user
from zhongshu.planning.models import MrpRun, PurchaseOrder, PurchaseSuggestion


@pytest.fixture
def buyer(db):
    return make_user("purchasing", username="buyer_wang")


def _suggestions(n, *, pegs=()):
    run = MrpRun.objects.create()
    rows = []
    for i in range(n):
        m = MaterialFactory(code=f"RAW-{i:03d}", name=f"钢材{i}", kind="raw")
        rows.append(
            PurchaseSuggestion.objects.create(
                run=run,
                material=m,
                quantity=D(10 + i),
                net_requirement=D(10 + i),
                order_by=dt.date(2030, 1, 1) + dt.timedelta(days=i),
                need_date=dt.date(2030, 1, 8) + dt.timedelta(days=i),
                reason="demand" if i % 2 == 0 else "safety_stock",
                pegged_lines=list(pegs),
                peg_count=len(pegs),
            )
        )
    return rows


def test_api_filters_edit_accept_and_dismiss(buyer, api_as):
    a, b, _c = _suggestions(3)
    api = api_as(buyer)
    r = api.get("/api/v1/planning/suggestions", {"reason": "safety_stock"})
    assert [i["material"] for i in r.json()["items"]] == ["RAW-001"]
    r = api.patch(
        f"/api/v1/planning/suggestions/{a.pk}", {"quantity": "15.5", "need_date": "2030-01-20"}
    )
    assert (r.status_code, r.json()["quantity"], r.json()["edited"]) == (200, "15.500", True)
    r = api.post(f"/api/v1/planning/suggestions/{a.pk}/accept")
    assert r.status_code == 201
    assert (r.json()["quantity"], r.json()["due_date"], r.json()["status"]) == (
        "15.500",
        "2030-01-20",
        "open",
    )
    r = api.post(f"/api/v1/planning/suggestions/{a.pk}/accept")
    assert (r.status_code, r.json()["code"]) == (409, "suggestion_decided")
    r = api.post(f"/api/v1/planning/suggestions/{b.pk}/dismiss", {"reason": "  "})
    assert (r.status_code, r.json()["code"]) == (422, "validation_error")
    r = api.post(f"/api/v1/planning/suggestions/{b.pk}/dismiss", {"reason": "改用替代料"})
    assert (r.status_code, r.json()["status"]) == (200, "dismissed")
    r = api.get("/api/v1/planning/suggestions", {"status": "all"})
    assert [i["status"] for i in r.json()["items"]] == ["accepted", "dismissed", "new"]
    r = api.get("/api/v1/planning/purchase-orders")
    assert r.json()["count"] == 1 and PurchaseOrder.objects.get().suggestion_id == a.pk


@pytest.mark.parametrize(
    "body, field",
    [({"quantity": "-1"}, "quantity"), ({"quantity": "1.23456"}, "quantity"),
     ({"order_by": "2030-02-01"}, "need_date")],
)  # fmt: skip
def test_bad_edits_are_422_and_change_nothing(buyer, api_as, body, field):
    [s] = _suggestions(1)
    r = api_as(buyer).patch(f"/api/v1/planning/suggestions/{s.pk}", body)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["details"]["errors"]] == [field]
    s.refresh_from_db()
    assert (s.quantity, s.order_by, s.edited) == (D(10), dt.date(2030, 1, 1), False)


def test_run_over_the_api_reports_its_figures(buyer, api_as):
    r = api_as(buyer).post("/api/v1/planning/runs", {"today": "2030-01-01"})
    assert r.status_code == 201
    assert r.json()["stats"]["suggestions"] == 0
    assert api_as(buyer).get("/api/v1/planning/runs/latest").json()["id"] == r.json()["id"]


def test_page_shows_pegged_orders_and_export_has_the_rows(buyer):
    admin = make_user("admin")
    order = make_order(actor=admin)
    _suggestions(2, pegs=[order.lines.get().pk])
    client = Client()
    client.force_login(buyer)
    html = client.get("/planning/").content.decode()
    assert f"{order.number}/1" in html and "RAW-000" in html and "RAW-001" in html
    r = client.get("/planning/export.xlsx", {"reason": "demand"})
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert [row[0] for row in rows[1:]] == ["RAW-000"]


def test_page_accept_and_dismiss_from_the_list(buyer):
    a, b = _suggestions(2)
    client = Client()
    client.force_login(buyer)
    assert client.post(f"/planning/suggestions/{a.pk}/accept/").status_code == 302
    r = client.post(f"/planning/suggestions/{b.pk}/dismiss/", {"reason": ""}, follow=True)
    assert r.status_code == 200
    b.refresh_from_db()
    assert b.status == "new"  # no reason: refused, shown as a message
    a.refresh_from_db()
    assert a.status == "accepted"


@pytest.mark.parametrize("n", [3, 30])
def test_list_page_and_api_query_count_does_not_grow(buyer, api_as, n):
    order = make_order(actor=make_user("admin"))
    _suggestions(n, pegs=[order.lines.get().pk])
    client = Client()
    client.force_login(buyer)
    client.get("/planning/")  # warm the session and caches
    with CaptureQueriesContext(connection) as page:
        assert client.get("/planning/").status_code == 200
    api = api_as(buyer)
    with CaptureQueriesContext(connection) as listing:
        assert api.get("/api/v1/planning/suggestions").status_code == 200
    assert len(page) <= 12, [q["sql"] for q in page]
    assert len(listing) <= 8, [q["sql"] for q in listing]
