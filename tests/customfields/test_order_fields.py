"""Custom fields on orders, end to end through the API: define → fill → filter → sort → export →
audit, for every type; and a field hidden from a role never reaches that role."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tests.factories import CustomerFactory, make_order, make_user
from zhongshu.core.errors import ForbiddenField, ValidationFailed
from zhongshu.customfields import services
from zhongshu.customfields.models import FieldDefinition
from zhongshu.orders.models import Order, OrderEvent

pytestmark = pytest.mark.django_db

CHOICES = [
    {"value": "anodized", "label_zh": "阳极氧化", "label_en": "Anodized"},
    {"value": "plated", "label_zh": "电镀", "label_en": "Plated"},
    {"value": "painted", "label_zh": "喷漆", "label_en": "Painted"},
]

# type → (extra definition data, value sent, value stored, a second value, filter param → matches)
CASES = {
    "text": ({}, " DWG-001 ", "DWG-001", "DWG-002", {"cf_f": "DWG-001"}),
    "number": ({}, "１,２００", 1200, 5, {"cf_f__gte": "1000"}),
    "decimal": ({"decimal_places": 2}, "12.5", "12.50", "3", {"cf_f__gte": "10"}),
    "date": ({}, "2026年9月3日", "2026-09-03", "2027-01-01", {"cf_f__lte": "2026-12-31"}),
    "choice": ({"choices": CHOICES}, "电镀", "plated", "anodized", {"cf_f": "plated"}),
    "multi": ({"choices": CHOICES}, "painted,anodized", ["anodized", "painted"], ["plated"],
              {"cf_f": "painted"}),
    "bool": ({}, "是", True, False, {"cf_f": "true"}),
}  # fmt: skip


@pytest.fixture
def admin(db):
    return make_user("admin", regions=("华东",))


@pytest.fixture
def customer(admin):
    from zhongshu.accounts.models import Region

    return CustomerFactory(code="C1", region=Region.objects.get(name="华东"))


def workbook_rows(response) -> list[list]:
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def define(admin, ftype, key="f", **data):
    return services.field_create(
        actor=admin,
        entity="order",
        key=key,
        label_zh=f"字段{key}",
        label_en=f"Field {key}",
        type=ftype,
        filterable=ftype != "file",
        **data,
    )


@pytest.mark.parametrize("ftype", sorted(CASES))
def test_each_type_goes_from_definition_to_filter_export_and_audit(ftype, admin, customer, api_as):
    extra, sent, stored, other, filt = CASES[ftype]
    define(admin, ftype, **extra)
    api = api_as(admin)
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    body = {
        "customer": "C1",
        "due_date": due,
        "lines": [{"material": make_material().code, "quantity": "1", "unit_price": "1"}],
        "custom": {"f": sent},
    }
    r = api.post("/api/v1/orders", body)
    assert r.status_code == 201, r.content
    first = r.json()
    assert first["custom"] == {"f": stored}
    body["custom"] = {"f": other}
    second = api.post("/api/v1/orders", body).json()
    assert second["custom"]["f"] is not None

    # filter: exactly the first order matches
    r = api.get("/api/v1/orders", filt)
    assert r.status_code == 200, r.content
    assert [o["number"] for o in r.json()["items"]] == [first["number"]]

    # export: a column headed by the label, holding the value as a person reads it
    r = api.get("/api/v1/orders/export.xlsx", filt)
    assert r.status_code == 200
    rows = workbook_rows(r)
    header_row = next(i for i, row in enumerate(rows) if "字段f" in row or "Field f" in row)
    col = next(i for i, h in enumerate(rows[header_row]) if h in ("字段f", "Field f"))
    cells = [row[col] for row in rows[header_row + 1 :] if any(row)]
    assert len(cells) == 1 and cells[0] not in ("", None)

    # audit: an edit of the value is on the timeline and in the order's history
    r = api.patch(
        f"/api/v1/orders/{first['id']}", {"version": first["version"], "custom": {"f": other}}
    )
    assert r.status_code == 200, r.content
    event = OrderEvent.objects.filter(order_id=first["id"], action="updated").get()
    assert event.data["changed"] == ["custom.f"]
    assert event.data["before"]["custom.f"] == stored
    history = Order.history.filter(id=first["id"]).order_by("history_id")
    assert [h.custom.get("f") for h in history][-2:] == [stored, r.json()["custom"]["f"]]


def make_material():
    from tests.factories import MaterialFactory

    return MaterialFactory()


def test_sort_by_a_custom_field_pages_through_every_order_once(admin, customer, api_as):
    define(admin, "number", key="weight")
    weights = [7, 3, None, 9, 1, 5]
    for w in weights:
        make_order(actor=admin, customer=customer, custom={"weight": w} if w is not None else None)
    api = api_as(admin)
    seen, offset = [], 0
    while offset is not None:
        page = api.get("/api/v1/orders", {"sort": "cf_weight", "limit": 2, "offset": offset}).json()
        seen += [o["custom"].get("weight") for o in page["items"]]
        offset = page["next_offset"]
    present = [w for w in seen if w is not None]
    assert present == sorted(w for w in weights if w is not None)
    assert len(seen) == len(weights)
    desc = api.get("/api/v1/orders", {"sort": "-cf_weight", "limit": 1}).json()
    assert desc["items"][0]["custom"].get("weight") in (9, None)


def test_bad_values_are_all_reported_and_nothing_is_saved(admin, customer, api_as):
    define(admin, "number", key="qty")
    define(admin, "date", key="drawn")
    define(admin, "text", key="drawing", required=True)
    api = api_as(admin)
    r = api.post(
        "/api/v1/orders",
        {
            "customer": "C1",
            "due_date": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
            "lines": [{"material": make_material().code, "quantity": "1"}],
            "custom": {"qty": "1.5", "drawn": "soon", "nope": 1},
        },
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["details"]["errors"]}
    assert {"custom.qty", "custom.drawn", "custom.nope", "custom.drawing"} <= fields
    assert not Order.objects.exists()


def test_bad_filter_and_sort_are_422_not_500(admin, api_as):
    define(admin, "number", key="qty")
    api = api_as(admin)
    assert api.get("/api/v1/orders", {"cf_qty": "many"}).status_code == 422
    assert api.get("/api/v1/orders", {"cf_nope": "1"}).status_code == 422
    assert api.get("/api/v1/orders", {"sort": "cf_nope"}).status_code == 422
    assert api.get("/api/v1/orders", {"cf_qty__contains": "1"}).status_code == 422


@pytest.fixture
def secret_field(admin):
    return define(admin, "decimal", key="cost", view_roles=["manager"], edit_roles=["manager"])


def test_a_hidden_field_never_reaches_the_role_that_may_not_see_it(
    admin, customer, secret_field, api_as
):
    sales = make_user("sales", regions=("华东",))
    order = make_order(actor=sales, customer=customer)
    r = api_as(admin).patch(
        f"/api/v1/orders/{order.pk}", {"version": order.version, "custom": {"cost": "99.9"}}
    )
    assert r.status_code == 200, r.content
    order.refresh_from_db()
    assert order.custom == {"cost": "99.90"}
    api = api_as(sales)
    listed = api.get("/api/v1/orders").json()["items"]
    assert listed and all("cost" not in o["custom"] for o in listed)
    detail = api.get(f"/api/v1/orders/{order.pk}").json()
    assert "cost" not in detail["custom"]
    # the timeline names neither the field nor its values
    assert all("custom.cost" not in str(e["data"]) for e in detail["timeline"])
    assert "99.9" not in str(detail)
    # not as a filter or a sort either
    assert api.get("/api/v1/orders", {"cf_cost__gte": "1"}).status_code == 422
    assert api.get("/api/v1/orders", {"sort": "cf_cost"}).status_code == 422
    # not in the export
    book = workbook_rows(api.get("/api/v1/orders/export.xlsx"))
    flat = {str(c) for row in book for c in row}
    assert "字段cost" not in flat and "Field cost" not in flat
    assert not any("99.9" in c for c in flat)
    # sending it is refused, changing nothing
    r = api.patch(f"/api/v1/orders/{order.pk}", {"version": order.version, "custom": {"cost": "1"}})
    assert r.status_code == 403
    assert Order.objects.get(pk=order.pk).custom == {"cost": "99.90"}
    # the sales user's own edit keeps the hidden value
    r = api.patch(f"/api/v1/orders/{order.pk}", {"version": order.version, "note": "x"})
    assert r.status_code == 200, r.content
    assert Order.objects.get(pk=order.pk).custom == {"cost": "99.90"}


def test_the_openapi_schema_documents_the_fields_from_their_definitions(admin, client):
    define(admin, "choice", key="finish", choices=CHOICES)
    schema = client.get("/api/v1/openapi.json").json()
    props = schema["components"]["schemas"]["OrderOut"]["properties"]["custom"]["properties"]
    assert props["finish"]["anyOf"][0]["enum"] == ["anodized", "plated", "painted"]
    params = [p["name"] for p in schema["paths"]["/api/v1/orders"]["get"]["parameters"]]
    assert "cf_finish" in params


def test_list_queries_do_not_grow_with_orders_or_fields(admin, customer, api_as):
    api = api_as(admin)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/orders", {"sort": "due_date"}).status_code == 200
        return len(ctx.captured_queries)

    make_order(actor=admin, customer=customer)
    count()  # the first call of a token also records its use
    base = count()
    for i in range(5):
        define(admin, "user" if i == 0 else "text", key=f"k{i}")
    for _ in range(10):
        make_order(actor=admin, customer=customer, custom={"k1": "x"})
    assert count() == base


def test_required_field_is_not_demanded_from_platform_orders(admin, customer):
    define(admin, "text", key="drawing", required=True)
    with pytest.raises(ValidationFailed):
        make_order(actor=admin, customer=customer)
    order = make_order(actor=admin, customer=customer, channel="taobao", external_no="T1")
    assert order.custom == {}


def test_a_field_the_actor_may_not_edit_is_refused(admin, customer):
    define(admin, "text", key="grade", edit_roles=["qc"])
    sales = make_user("sales", regions=("华东",))
    with pytest.raises(ForbiddenField):
        make_order(actor=sales, customer=customer, custom={"grade": "A"})


def test_definitions_are_listed_for_admins_only(admin, api_as):
    define(admin, "text", key="drawing")
    assert api_as(admin).get("/api/v1/custom-fields").json()[0]["key"] == "drawing"
    assert api_as(make_user("sales")).get("/api/v1/custom-fields").status_code == 403
    assert FieldDefinition.objects.count() == 1


def test_a_nul_in_a_text_filter_is_refused_by_name_not_a_server_error(admin, api_as):
    define(admin, "text", key="drawing")
    api = api_as(admin)
    answer = api.get("/api/v1/orders", {"cf_drawing__contains": "a\x00b"})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["details"]["errors"]] == ["cf_drawing__contains"]
    assert api.get("/api/v1/users", {"q": "a\x00b"}).status_code == 422
