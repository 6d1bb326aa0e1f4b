"""Custom fields on materials: form, API, list filters and columns, export, audit — and a field
hidden from a role stays out of everything that role sees."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.exports.helpers import column, read_sheet, response_bytes
from tests.factories import MaterialFactory, make_user
from zhongshu.catalog.models import Material
from zhongshu.catalog.services import material_update

pytestmark = pytest.mark.django_db

TREATMENTS = [
    {"value": "anodized", "label_zh": "阳极氧化", "label_en": "Anodized"},
    {"value": "painted", "label_zh": "喷漆", "label_en": "Painted"},
]


def _listed(html: str) -> list[str]:
    return re.findall(r'href="/materials/([^/"]+)/edit/"', html)


def _post_material(client, code, **custom):
    data = {"code": code, "name": "齿轮", "unit": "件", "kind": "finished", "fulfilment": "make"}
    data.update(custom)
    return client.post("/materials/new/", data)


@pytest.mark.parametrize(
    ("ftype", "options", "typed", "sent", "filters", "cell"),
    [
        ("number", {}, "5", 40, {"cf_k__gte": "10"}, 40),
        ("decimal", {"decimal_places": 3}, "0.5", "1.25", {"cf_k__gte": "1"}, 1.25),
        ("choice", {"choices": TREATMENTS}, "anodized", "painted", {"cf_k": "painted"}, "喷漆"),
        ("multi", {"choices": TREATMENTS}, ["anodized"], ["painted"], {"cf_k": "painted"}, "喷漆"),
        ("text", {}, "A-1", "B-2", {"cf_k__contains": "b-"}, "B-2"),
    ],
)
def test_each_type_end_to_end(
    ftype, options, typed, sent, filters, cell, define, client_as, api_as, planner, admin_user
):
    define("material", "k", ftype, label_zh="表面处理", filterable=True, **options)
    client, api = client_as(planner), api_as(planner)

    assert 'name="cf_k"' in client.get("/materials/new/").content.decode()
    assert _post_material(client, "M-WEB", cf_k=typed).status_code == 302
    assert "k" in Material.objects.get(code="M-WEB").custom
    created = api.post("/api/v1/materials", {"code": "M-API", "name": "轴", "custom": {"k": sent}})
    assert created.status_code == 201, created.content

    assert _listed(client.get("/materials/", filters).content.decode()) == ["M-API"]
    listed = api.get("/api/v1/materials", filters).json()["items"]
    assert [m["code"] for m in listed] == ["M-API"]
    rows = read_sheet(response_bytes(client.get("/materials/export.xlsx")))
    assert dict(zip(column(rows, "编码"), column(rows, "表面处理"), strict=True))["M-API"] == cell

    before = Material.history.filter(code="M-API").count()
    assert api.patch("/api/v1/materials/M-API", {"custom": {"k": None}}).status_code == 200
    assert Material.history.filter(code="M-API").count() == before + 1
    audit = client_as(admin_user).get("/audit/", {"kind": "material", "obj": "M-API"})
    assert '<span class="field">表面处理</span>' in audit.content.decode()


def test_a_hidden_field_stays_out_of_what_a_sales_user_sees(
    define, client_as, api_as, sales_east, admin_user, planner
):
    define("material", "cost", "decimal", label_zh="成本价", view_roles=["admin", "manager"])
    define("material", "drawing", "text", label_zh="图号", filterable=True)
    gear = MaterialFactory(code="M-GEAR", name="齿轮")
    material_update(
        actor=admin_user, material=gear, data={"custom": {"cost": "12.34", "drawing": "D-9"}}
    )
    api, client = api_as(sales_east), client_as(sales_east)

    assert api.get("/api/v1/materials/M-GEAR").json()["custom"] == {"drawing": "D-9"}
    assert api.get("/api/v1/materials", {"cf_cost": "12.34"}).status_code == 422
    rows = read_sheet(response_bytes(client.get("/materials/export.xlsx")))
    assert "成本价" not in rows[0] and "图号" in rows[0]
    html = client.get("/materials/").content.decode()
    assert "成本价" not in html and "12.34" not in html and 'name="cf_drawing__contains"' in html
    # planners manage materials but do not see the cost either: no input, and sending is refused
    form = client_as(planner).get("/materials/M-GEAR/edit/").content.decode()
    assert "cf_cost" not in form and "成本价" not in form
    refused = api_as(planner).patch("/api/v1/materials/M-GEAR", {"custom": {"cost": "1"}})
    assert refused.status_code == 403
    gear.refresh_from_db()
    assert gear.custom == {"cost": "12.34", "drawing": "D-9"}


def test_list_page_and_api_do_not_grow_with_rows_or_fields(define, client_as, api_as, planner):
    define("material", "owner", "user", filterable=True)
    define("material", "t1", "text", filterable=True)
    client, api = client_as(planner), api_as(planner)
    someone = make_user("sales")

    def fill(n, keys):
        MaterialFactory.create_batch(n)
        for m in Material.objects.all():
            m.custom = {k: f"v{m.pk}" for k in keys} | {"owner": someone.pk}
            m.save()

    def count(path):
        client_or_api = client if path.startswith("/materials") else api
        client_or_api.get(path)
        with CaptureQueriesContext(connection) as ctx:
            assert client_or_api.get(path).status_code == 200
        return len(ctx.captured_queries)

    fill(3, ["t1"])
    few = count("/materials/?cf_t1__contains=v"), count("/api/v1/materials?cf_t1__contains=v")
    for i in range(2, 9):
        define("material", f"t{i}", "text", filterable=True)
    fill(30, [f"t{i}" for i in range(1, 9)])
    many = count("/materials/?cf_t1__contains=v"), count("/api/v1/materials?cf_t1__contains=v")

    assert Material.objects.count() == 33
    assert many == few
