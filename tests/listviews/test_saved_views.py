"""Saved views of the order list: columns, filters and sort kept per user or shared per role,
the views each role finds on day one, and the custom fields in them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory, MaterialFactory, make_order, make_user
from tests.factories import make_order as make
from zhongshu.customfields import services as cf_services
from zhongshu.listviews.models import SavedView

pytestmark = pytest.mark.django_db


def numbers(html: str) -> list[str]:
    return re.findall(r">(SO-\d{4}-\d{6})<", html)


def headers(html: str) -> list[str]:
    """The list's column headings (not the bulk-selection box in front of them)."""
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [
        re.sub(r"<[^>]+>|[↑↓]", "", h).strip()
        for h in re.findall(r'<th(?! class="c-pick")[^>]*>(.*?)</th>', head)
    ]


@pytest.fixture
def admin(east):
    return make_user("admin", regions=("华东",), username="boss")


@pytest.fixture
def finish(admin):
    return cf_services.field_create(
        actor=admin,
        entity="order",
        key="finish",
        label_zh="表面处理",
        label_en="Surface treatment",
        type="choice",
        choices=["anodized", "plated"],
        filterable=True,
    )


@pytest.fixture
def book(admin, east, finish):
    customer = CustomerFactory(code="C1", region=east)
    made = MaterialFactory(fulfilment="make")  # confirming a made-to-order line needs no stock

    def make_order(**kw):
        lines = [{"material": made.code, "quantity": "1", "unit_price": "5"}]
        return make(lines=lines, **kw)

    a = make_order(
        actor=admin,
        customer=customer,
        due_in_days=30,
        status="confirmed",
        custom={"finish": "plated"},
    )
    b = make_order(
        actor=admin,
        customer=customer,
        due_in_days=5,
        status="confirmed",
        custom={"finish": "anodized"},
    )
    c = make_order(
        actor=admin,
        customer=customer,
        due_in_days=10,
        status="confirmed",
        custom={"finish": "plated"},
    )
    d = make_order(actor=admin, customer=customer, due_in_days=1)
    return {"a": a, "b": b, "c": c, "draft": d}  # fmt: skip


def test_a_personal_view_keeps_columns_filters_and_sort(client_as, admin, book):
    client = client_as(admin)
    r = client.post(
        "/orders/views/save/",
        {
            "query": "status=confirmed&cf_finish=plated&sort=due_date",
            "name": "镀件",
            "columns": ["number", "due_date", "cf_finish"],
        },
    )
    assert r.status_code == 302
    view = SavedView.objects.get(name="镀件")
    assert view.owner == admin and view.filters == {
        "status": ["confirmed"],
        "cf_finish": ["plated"],
    }
    html = client.get(r.url).content.decode()
    assert numbers(html) == [book["c"].number, book["a"].number]  # by due date
    assert headers(html) == ["订单号", "交期", "表面处理"]
    assert "电镀" not in html or "plated" in html  # choice shown by its label
    # another user does not have it
    other = make_user("admin", regions=("华东",))
    assert client_as(other).get(f"/orders/?view={view.pk}").status_code == 404


def test_the_planner_finds_the_shipped_view_of_confirmed_orders_by_due_date(client_as, book):
    from zhongshu.listviews.defaults import install

    # the shipped views as shipped, whatever an earlier test of this worker left (on PostgreSQL
    # the planner's was found missing in 2 of 7 runs; the cause is not found yet)
    install(SavedView)
    planner = make_user("planner", username="pl")
    view = SavedView.objects.get(role="planner", name="Confirmed, not yet scheduled, by due date")
    client = client_as(planner)
    html = client.get("/orders/").content.decode()
    assert "已确认、未排产（按交期）" in html  # the chip, in the planner's language
    from zhongshu.orders.views.order_list import view_url

    html = client.get(view_url(view)).content.decode()
    assert numbers(html) == [book["b"].number, book["c"].number, book["a"].number]
    # sales see no planner views
    sales = make_user("sales", regions=("华东",))
    assert client_as(sales).get(f"/orders/?view={view.pk}").status_code == 404


def test_a_default_view_opens_the_bare_list(client_as, admin, book):
    client = client_as(admin)
    client.post(
        "/orders/views/save/",
        {"query": "status=draft", "name": "草稿", "columns": ["number"], "is_default": "1"},
    )
    r = client.get("/orders/")
    assert r.status_code == 302 and "status=draft" in r.url
    assert numbers(client.get(r.url).content.decode()) == [book["draft"].number]
    # "all orders" stays one click away
    assert len(numbers(client.get("/orders/?view=0").content.decode())) == 4


def test_sharing_needs_the_right_and_a_shared_view_is_changed_only_with_it(client_as, admin, book):
    sales = make_user("sales", regions=("华东",), username="s1")
    r = client_as(sales).post(
        "/orders/views/save/", {"query": "", "name": "x", "columns": ["number"], "role": "sales"}
    )
    assert r.status_code == 302 and not SavedView.objects.filter(name="x").exists()
    manager = make_user("manager", regions=("华东",))
    client_as(manager).post(
        "/orders/views/save/",
        {"query": "status=confirmed", "name": "销售看确认", "columns": ["number"], "role": "sales"},
    )
    view = SavedView.objects.get(name="销售看确认")
    assert view.role == "sales" and view.owner is None
    html = client_as(sales).get("/orders/").content.decode()
    assert "销售看确认" in html
    r = client_as(sales).post(f"/orders/views/{view.pk}/delete/")
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_a_hidden_custom_column_is_not_shown_to_a_role_that_may_not_see_it(client_as, admin, book):
    secret = cf_services.field_create(
        actor=admin, entity="order", key="cost", label_zh="成本", label_en="Cost",
        type="decimal", view_roles=["manager"], filterable=True,
    )  # fmt: skip
    manager = make_user("manager", regions=("华东",))
    client_as(manager).post(
        "/orders/views/save/",
        {"query": "", "name": "成本视图", "columns": ["number", secret.param], "role": "sales"},
    )
    sales = make_user("sales", regions=("华东",))
    view = SavedView.objects.get(name="成本视图")
    html = client_as(sales).get(f"/orders/?view={view.pk}").content.decode()
    assert "成本" not in headers(html)
    assert client_as(sales).get("/orders/?cf_cost__gte=1").status_code == 422
    # and sales cannot save it into a view of their own
    client_as(sales).post(
        "/orders/views/save/", {"query": "", "name": "偷看", "columns": ["number", "cf_cost"]}
    )
    assert not SavedView.objects.filter(name="偷看").exists()


def test_bad_custom_filter_on_the_page_is_shown_not_a_500(client_as, admin, book):
    r = client_as(admin).get("/orders/?view=0&cf_finish=gold")
    assert r.status_code == 422
    assert "gold" in r.content.decode()


def test_list_page_queries_do_not_grow_with_rows_or_custom_columns(client_as, admin, finish, east):
    client = client_as(admin)
    customer = CustomerFactory(code="C9", region=east)
    r = client.post(
        "/orders/views/save/",
        {"query": "sort=cf_finish", "name": "v", "columns": ["number", "customer", "cf_finish"]},
    )
    url = r.url
    make_order(actor=admin, customer=customer, custom={"finish": "plated"})
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    base = count()
    for _ in range(8):
        make_order(actor=admin, customer=customer, custom={"finish": "anodized"})
    assert count() == base


def test_views_api_lists_creates_and_refuses(api_as, admin, book):
    api = api_as(admin)
    r = api.post(
        "/api/v1/views/orders",
        {"name": "API 视图", "columns": ["number", "cf_finish"], "filters": {"cf_finish": ["plated"]},
         "sort": "-due_date"},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    assert r.json()["personal"] is True
    names = [v["name"] for v in api.get("/api/v1/views/orders").json()]
    assert "API 视图" in names
    r = api.post("/api/v1/views/orders", {"name": "坏", "filters": {"cf_finish": ["gold"]}})
    assert r.status_code == 422
    r = api.post("/api/v1/views/orders", {"name": "坏", "sort": "cf_nope"})
    assert r.status_code == 422
    cols = [c["name"] for c in api.get("/api/v1/views/orders/columns").json()]
    assert "cf_finish" in cols
