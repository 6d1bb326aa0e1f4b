"""The audit trail: writes record who/when/before → after; the audit page lists and filters them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    PASSWORD,
    CustomerFactory,
    MaterialFactory,
    make_order,
    make_user,
    make_warehouse,
    put_stock,
)
from zhongshu.inventory.models import StockLevel
from zhongshu.orders.models import Order, OrderLine
from zhongshu.orders.services import order_delete

pytestmark = pytest.mark.django_db


def web_client(user):
    client = Client()
    client.force_login(user)
    return client


def line_payload(material, price="10"):
    return [{"material": material.code, "quantity": "2", "unit_price": price}]


# --- recording -------------------------------------------------------------------------------


def test_api_create_and_price_edit_record_the_bearer_user_and_the_change(
    api_as, sales_east, customer_east
):
    # given a sales user working through the API with a Bearer token
    material = MaterialFactory(code="M-AUD-1")
    api = api_as(sales_east)
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    created = api.post(
        "/api/v1/orders",
        {"customer": customer_east.code, "due_date": due, "lines": line_payload(material)},
    )
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]

    # when the price of the line changes
    r = api.patch(
        f"/api/v1/orders/{order_id}",
        {"version": created.json()["version"], "lines": line_payload(material, "12.50")},
    )
    assert r.status_code == 200, r.content

    # then every order version is the sales user's, and the total went 22.60 → 28.25
    history = list(Order.history.filter(id=order_id).order_by("history_id"))
    assert history[0].history_type == "+"
    assert {h.history_user_id for h in history} == {sales_east.pk}
    last, before = history[-1], history[-2]
    diff = {c.field: (c.old, c.new) for c in last.diff_against(before).changes}
    assert diff["total_amount"] == (Decimal("22.60"), Decimal("28.25"))
    # and the old line is recorded as deleted, the new one as created, both by that user
    lines = list(OrderLine.history.filter(order_id=order_id).order_by("history_id"))
    assert [(h.history_type, h.unit_price) for h in lines] == [
        ("+", Decimal("10.00")),
        ("-", Decimal("10.00")),
        ("+", Decimal("12.50")),
    ]
    assert {h.history_user_id for h in lines} == {sales_east.pk}


def test_web_transition_records_the_session_user_and_the_status_change(sales_east, admin_user):
    # given a draft made by someone else
    order = make_order(
        actor=admin_user, customer=CustomerFactory(region=sales_east.profile.regions.get())
    )
    # when the sales user submits it in the browser
    r = web_client(sales_east).post(
        f"/orders/{order.pk}/transition/",
        {"action": "submit", "note": "", "version": order.version},
    )
    assert r.status_code == 302
    # then the newest order version is the sales user's, draft → pending_review
    last, prev = Order.history.filter(id=order.pk).order_by("-history_id")[:2]
    assert last.history_user_id == sales_east.pk
    changes = {c.field: (c.old, c.new) for c in last.diff_against(prev).changes}
    assert changes["status"] == ("draft", "pending_review")


def test_deleting_a_draft_records_the_order_and_its_lines_as_deleted(sales_east, admin_user):
    order = make_order(actor=sales_east)
    order_delete(actor=admin_user, order_id=order.pk)
    assert Order.history.filter(id=order.pk, history_type="-").count() == 1
    assert OrderLine.history.filter(order_id=order.pk, history_type="-").count() == 1


def test_stock_receipt_records_the_level_before_and_after(db):
    # given 5 in stock
    keeper = make_user("warehouse")
    material = MaterialFactory(code="M-AUD-STK")
    put_stock(material, "5", warehouse=make_warehouse(), actor=keeper)
    # when 3 more are received
    level = put_stock(material, "3", warehouse=make_warehouse(), actor=keeper)
    # then the level's history shows on hand 5 → 8 by the warehouse keeper
    rows = list(StockLevel.history.filter(id=level.pk).order_by("-history_id")[:2])
    assert rows[0].history_user_id == keeper.pk
    assert (rows[1].on_hand, rows[0].on_hand) == (Decimal("5.000"), Decimal("8.000"))
    diff = {c.field: (c.old, c.new) for c in rows[0].diff_against(rows[1]).changes}
    assert diff["on_hand"] == (Decimal("5.000"), Decimal("8.000"))


# --- the page --------------------------------------------------------------------------------


def test_audit_page_shows_before_and_after_for_a_price_edit(api_as, sales_east, customer_east):
    material = MaterialFactory(code="M-AUD-2")
    api = api_as(sales_east)
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    created = api.post(
        "/api/v1/orders",
        {"customer": customer_east.code, "due_date": due, "lines": line_payload(material)},
    ).json()
    api.patch(
        f"/api/v1/orders/{created['id']}",
        {"version": created["version"], "lines": line_payload(material, "12.50")},
    )
    manager = make_user("manager")

    r = web_client(manager).get("/audit/", {"kind": "order", "obj": created["number"]})

    assert r.status_code == 200
    entries = r.context["entries"]
    assert {e.obj for e in entries} == {created["number"]}
    assert {e.who for e in entries} == {sales_east.username}
    changed = [e for e in entries if any(c.field == "total_amount" for c in e.changes)]
    total = next(c for c in changed[0].changes if c.field == "total_amount")
    assert (total.old, total.new) == ("22.60", "28.25")
    assert "22.60" in r.content.decode() and "28.25" in r.content.decode()


def test_audit_page_filters_by_type_user_and_date(sales_east, sales_north, customer_north):
    make_order(actor=sales_east)
    make_order(actor=sales_north, customer=customer_north)
    material = MaterialFactory(code="M-AUD-3")
    put_stock(material, "4", warehouse=make_warehouse())
    admin = make_user("admin")
    client = web_client(admin)

    by_user = client.get("/audit/", {"user": sales_north.username}).context["entries"]
    assert by_user and {e.who for e in by_user} == {sales_north.username}

    stock = client.get("/audit/", {"kind": "stock"}).context["entries"]
    assert stock and {e.kind for e in stock} == {"stock"}
    assert any(e.obj == "M-AUD-3 @ 01" for e in stock)

    lines = client.get("/audit/", {"kind": "line"}).context["entries"]
    assert len(lines) == 2
    assert len({e.action for e in lines}) == 1  # both created

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    future = client.get("/audit/", {"date_from": tomorrow.isoformat()}).context["entries"]
    assert future == []
    today = client.get(
        "/audit/", {"date_from": timezone.localdate().isoformat(), "kind": "order"}
    ).context["entries"]
    assert len({e.obj for e in today}) == 2


def test_audit_page_lists_logins_and_failed_logins(db):
    user = make_user("sales", username="loginaudit")
    client = Client()
    client.post("/login/", {"username": "loginaudit", "password": "wrong-password"})
    client.post("/login/", {"username": "loginaudit", "password": PASSWORD})
    client.post("/logout/")

    r = web_client(make_user("admin")).get("/audit/", {"kind": "login", "user": user.username})

    entries = r.context["entries"]
    assert [e.kind for e in entries] == ["login", "login"]
    assert entries[0].note != ""  # the successful login, with its logout time
    assert entries[1].note == ""  # the failed attempt


def test_audit_page_pages_through_everything_once(sales_east):
    for _ in range(3):
        make_order(actor=sales_east)
    client = web_client(make_user("admin"))
    expected = [e.cursor for e in client.get("/audit/", {"kind": "order"}).context["entries"]]

    seen, query = [], "kind=order&limit=2"
    while query:
        r = client.get(f"/audit/?{query}")
        assert len(r.context["entries"]) <= 2
        seen += [e.cursor for e in r.context["entries"]]
        query = r.context["next_query"]

    assert seen == expected
    assert len(seen) == 6  # each order: created, then its amounts written


def test_bad_cursor_is_a_clear_error_not_a_500(admin_user):
    r = web_client(admin_user).get("/audit/", {"cursor": "nonsense"})
    assert r.status_code == 422


@pytest.mark.parametrize("role", ["sales", "warehouse", "planner"])
def test_other_roles_get_403(role):
    r = web_client(make_user(role, regions=("华东",))).get("/audit/")
    assert r.status_code == 403


def test_nav_link_only_for_admin_and_manager(sales_east):
    assert "/audit/" in web_client(make_user("manager")).get("/orders/").content.decode()
    assert "/audit/" not in web_client(sales_east).get("/orders/").content.decode()


def test_query_count_does_not_grow_with_the_number_of_records(sales_east):
    client = web_client(make_user("admin"))
    make_order(actor=sales_east)
    client.get("/audit/")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get("/audit/")
    for _ in range(5):
        order = make_order(actor=sales_east)
        make_order(actor=sales_east, status="pending_review")
        order_delete(actor=make_user("admin"), order_id=order.pk)
    with CaptureQueriesContext(connection) as many:
        r = client.get("/audit/")
    assert len(r.context["entries"]) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


# --- outside a web request (CLI, imports, background tasks) ----------------------------------------


def test_master_data_written_outside_a_request_still_names_who_did_it(admin_user, east):
    from zhongshu.accounts.services import user_create, user_update
    from zhongshu.catalog.services import material_create, material_update
    from zhongshu.customers.services import customer_create, customer_update

    # given no request at all (as in `zhongshu import` or the worker)
    planner = make_user("planner")

    # when master data is created and changed through the services
    customer = customer_create(actor=admin_user, code="C-CLI", name="命令行客户", region=east.name)
    customer_update(actor=admin_user, customer=customer, data={"contact": "李工"})
    material = material_create(actor=planner, code="M-CLI", name="命令行物料", unit="件")
    material_update(actor=planner, material=material, data={"name": "命令行物料二"})
    user = user_create(
        actor=admin_user, username="cli_user", password="Cli-pass-2026!", roles=["sales"]
    )
    user_update(actor=admin_user, user_id=user.pk, display_name="命令行用户", roles=["sales"])

    # then every history row names the actor
    assert [h.history_user for h in customer.history.order_by("history_id")] == [admin_user] * 2
    assert [h.history_user for h in material.history.order_by("history_id")] == [planner] * 2
    assert {h.history_user for h in user.profile.history.all()} == {admin_user}
