"""Custom fields on customers, wherever a built-in field appears: the form, the API, the list's
filters and columns, the export and the audit trail — and never where the reader may not see it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.customfields.conftest import PDF
from tests.exports.helpers import column, read_sheet, response_bytes
from tests.factories import CustomerFactory, make_user
from zhongshu.customers.models import Customer
from zhongshu.customfields import services as cf_services

pytestmark = pytest.mark.django_db

CHOICES = [
    {"value": "anodized", "label_zh": "阳极氧化", "label_en": "Anodized"},
    {"value": "painted", "label_zh": "喷漆", "label_en": "Painted"},
    {"value": "plated", "label_zh": "电镀", "label_en": "Plated"},
]


# type, definition options, value typed in the web form, stored value, value sent to the API,
# stored value, a list filter that matches the API's customer and not the form's, the API
# customer's export cell
CASES = {
    "text": ({}, " DWG-001 ", "DWG-001", "PO-778", "PO-778", {"cf_k__contains": "po-7"}, "PO-778"),
    "number": ({}, "12", 12, 30, 30, {"cf_k__gte": "20"}, 30),
    "decimal": ({"decimal_places": 2}, "1.5", "1.50", "2.25", "2.25", {"cf_k__gte": "2"}, 2.25),
    "date": (
        {},
        "2026-03-01",
        "2026-03-01",
        "2026年4月15日",
        "2026-04-15",
        {"cf_k__gte": "2026-04-01"},
        "date",
    ),
    "choice": ({"choices": CHOICES}, "anodized", "anodized", "喷漆", "painted", {"cf_k": "painted"}, "喷漆"),
    "multi": (
        {"choices": CHOICES},
        ["plated", "anodized"],
        ["anodized", "plated"],
        ["painted"],
        ["painted"],
        {"cf_k": "painted"},
        "喷漆",
    ),
    "bool": ({}, "true", True, False, False, {"cf_k": "false"}, "否"),
}  # fmt: skip


def _listed(html: str) -> list[str]:
    return re.findall(r'href="/customers/([^/"]+)/edit/"', html)


def _post_customer(client, code, **custom):
    data = {"code": code, "name": f"客户{code}", "region": "华东", "tier": "regular"}
    data["is_active"] = "on"
    data.update(custom)
    return client.post("/customers/new/", data)


@pytest.mark.parametrize("ftype", list(CASES))
def test_each_type_end_to_end(ftype, define, client_as, api_as, sales_east, admin_user, east):
    options, typed, stored, sent, stored_api, filters, cell = CASES[ftype]
    defn = define("customer", "k", ftype, filterable=True, **options)

    # the form shows the field after the built-in ones and saves what was typed
    client = client_as(sales_east)
    html = client.get("/customers/new/").content.decode()
    assert html.index('name="address"') < html.index('name="cf_k"')
    assert "字段k" in html
    response = _post_customer(client, "C-WEB", cf_k=typed)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Customer.objects.get(code="C-WEB").custom == {"k": stored}

    # the API takes and answers it
    api = api_as(sales_east)
    created = api.post(
        "/api/v1/customers",
        {"code": "C-API", "name": "接口客户", "region": "华东", "custom": {"k": sent}},
    )
    assert created.status_code == 201, created.content
    assert created.json()["custom"] == {"k": stored_api}
    assert api.get("/api/v1/customers/C-API").json()["custom"] == {"k": stored_api}

    # the list filters on it, on the page and in the API
    assert _listed(client.get("/customers/", filters).content.decode()) == ["C-API"]
    listed = api.get("/api/v1/customers", filters).json()
    assert [c["code"] for c in listed["items"]] == ["C-API"]

    # the export has a column headed by its label
    rows = read_sheet(response_bytes(client.get("/customers/export.xlsx")))
    values = dict(zip(column(rows, "编码"), column(rows, defn.label_zh), strict=True))
    if cell == "date":
        assert str(values["C-API"])[:10] == "2026-04-15"
    else:
        assert values["C-API"] == cell

    # a change of only the custom value is recorded and the audit page names the field
    before = Customer.history.filter(code="C-API").count()
    patched = api.patch("/api/v1/customers/C-API", {"custom": {"k": None}})
    assert patched.status_code == 200, patched.content
    assert patched.json()["custom"] == {}
    assert Customer.history.filter(code="C-API").count() == before + 1
    audit = client_as(admin_user).get("/audit/", {"kind": "customer", "obj": "C-API"})
    assert re.search(r'<span class="field">字段k</span>', audit.content.decode())


def test_user_field_is_a_select_of_people_and_filters_by_user_name(
    define, client_as, api_as, sales_east, planner
):
    define("customer", "owner", "user", label_zh="跟单员", filterable=True)
    client = client_as(sales_east)
    form = client.get("/customers/new/").content.decode()
    assert re.search(rf'<option value="{planner.pk}">planner</option>', form)

    assert _post_customer(client, "C-WEB", cf_owner=str(planner.pk)).status_code == 302
    assert Customer.objects.get(code="C-WEB").custom == {"owner": planner.pk}
    api = api_as(sales_east)
    api.post(
        "/api/v1/customers",
        {"code": "C-API", "name": "接口客户", "region": "华东", "custom": {"owner": "sales_east"}},
    )

    page = client.get("/customers/", {"cf_owner": "planner"}).content.decode()
    assert _listed(page) == ["C-WEB"]
    assert re.search(r"<td[^>]*>planner</td>", page)  # the list shows the name, not the id
    listed = api.get("/api/v1/customers", {"cf_owner": "planner"}).json()["items"]
    assert [(c["code"], c["custom"]) for c in listed] == [("C-WEB", {"owner": planner.pk})]
    rows = read_sheet(response_bytes(client.get("/customers/export.xlsx")))
    assert column(rows, "跟单员") == ["sales_east", "planner"]


def test_file_field_uploads_through_the_form_and_keeps_the_file_on_a_later_edit(
    define, client_as, api_as, sales_east, admin_user
):
    define("customer", "contract", "file", label_zh="合同")
    client = client_as(sales_east)
    upload = SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf")

    assert 'type="file" name="cf_contract"' in client.get("/customers/new/").content.decode()
    assert _post_customer(client, "C-WEB", cf_contract=upload).status_code == 302
    stored = Customer.objects.get(code="C-WEB").custom["contract"]
    assert stored["name"].endswith(".pdf")

    # an edit that uploads nothing keeps the file; the API shows it
    edit = client.get("/customers/C-WEB/edit/").content.decode()
    assert f'name="cf_contract__current" value="{stored["id"]}"' in edit
    response = client.post(
        "/customers/C-WEB/edit/",
        {
            "code": "C-WEB",
            "name": "新名字",
            "region": "华东",
            "tier": "key",
            "cf_contract__current": str(stored["id"]),
        },
    )
    assert response.status_code == 302
    customer = Customer.objects.get(code="C-WEB")
    assert (customer.name, customer.custom["contract"]) == ("新名字", stored)
    got = api_as(sales_east).get("/api/v1/customers/C-WEB").json()
    assert got["custom"] == {"contract": stored}

    # the API names an uploaded file by its id
    other = cf_services.file_upload(
        actor=sales_east,
        entity="customer",
        key="contract",
        upload=SimpleUploadedFile("b.pdf", PDF),
    )
    patched = api_as(sales_east).patch(
        "/api/v1/customers/C-WEB", {"custom": {"contract": other.pk}}
    )
    assert patched.json()["custom"]["contract"]["id"] == other.pk
    rows = read_sheet(response_bytes(client.get("/customers/export.xlsx")))
    assert column(rows, "合同") == [other.name]


def test_a_refused_upload_is_shown_at_its_input_with_the_other_errors(
    define, client_as, sales_east
):
    define("customer", "contract", "file", label_zh="合同")
    define("customer", "po", "text", label_zh="客户订单号", required=True)
    exe = SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream")

    response = client_as(sales_east).post(
        "/customers/new/",
        {"code": "C-WEB", "name": "", "region": "华东", "tier": "regular", "cf_contract": exe},
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'name="cf_contract".*?<p class="error">', html, re.S)
    assert re.search(r'name="cf_po".*?<p class="error">[^<]*客户订单号', html, re.S)
    assert re.search(r'<label for="id_name">.*?此字段为必填项', html, re.S)
    assert not Customer.objects.filter(code="C-WEB").exists()


def test_errors_are_reported_with_the_built_in_ones_and_the_form_keeps_the_input(
    define, client_as, api_as, sales_east
):
    define("customer", "qty", "number", label_zh="年用量", help_text="每年大约多少件")
    define("customer", "grade", "choice", label_zh="等级", choices=CHOICES, required=True)

    client = client_as(sales_east)
    form = client.get("/customers/new/").content.decode()
    assert "每年大约多少件" in form
    assert re.search(r'<label for="id_cf_grade">等级 <abbr class="req"', form)
    response = _post_customer(client, "C-WEB", name="", cf_qty="1.5")

    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'<label for="id_name">.*?此字段为必填项', html, re.S)
    assert re.search(
        r'id="id_cf_qty" value="1.5">.*?<p class="error">年用量: 请输入整数', html, re.S
    )
    assert re.search(r'id="id_cf_grade">.*?<p class="error">', html, re.S)

    answer = api_as(sales_east).post(
        "/api/v1/customers", {"code": "C-API", "name": "", "region": "华东", "custom": {"qty": "x"}}
    )
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["details"]["errors"]}
    assert fields == {"name", "custom.qty", "custom.grade"}
    assert Customer.objects.count() == 0


def test_defaults_fill_a_new_customer_and_the_form_starts_from_them(
    define, client_as, api_as, sales_east
):
    define("customer", "grade", "choice", choices=CHOICES, default="plated")

    form = client_as(sales_east).get("/customers/new/").content.decode()
    assert '<option value="plated" selected>' in form
    created = api_as(sales_east).post(
        "/api/v1/customers", {"code": "C-API", "name": "接口客户", "region": "华东"}
    )
    assert created.json()["custom"] == {"grade": "plated"}


def test_bad_list_filters_are_shown_on_the_page_and_are_a_422_in_the_api(
    define, client_as, api_as, sales_east, customer_east
):
    define("customer", "qty", "number", label_zh="年用量", filterable=True)

    page = client_as(sales_east).get("/customers/", {"cf_qty__gte": "abc", "cf_nope": "1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'name="cf_qty__gte".*?<p class="error">年用量', html, re.S)

    answer = api_as(sales_east).get("/api/v1/customers", {"cf_qty__gte": "abc", "cf_nope": "1"})
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "validation_error"
    assert {e["field"] for e in body["details"]["errors"]} == {"cf_qty__gte", "cf_nope"}
    exported = client_as(sales_east).get("/customers/export.xlsx", {"cf_qty__gte": "abc"})
    assert exported.status_code == 422


# --- a field only managers see ---------------------------------------------------------------------


@pytest.fixture
def margin(define, admin_user, east):
    define(
        "customer",
        "margin",
        "decimal",
        label_zh="毛利率",
        view_roles=["admin", "manager"],
        filterable=True,
    )
    define("customer", "po", "text", label_zh="客户订单号", filterable=True)
    customer = CustomerFactory(code="C-EAST", name="苏州精工", region=east)
    from zhongshu.customers.services import customer_update

    customer_update(
        actor=admin_user, customer=customer, data={"custom": {"margin": "31.5", "po": "PO-1"}}
    )
    return customer


def test_a_hidden_field_never_reaches_a_sales_user(margin, client_as, api_as, sales_east, manager):
    api = api_as(sales_east)
    client = client_as(sales_east)

    # API answers
    assert api.get("/api/v1/customers/C-EAST").json()["custom"] == {"po": "PO-1"}
    assert [c["custom"] for c in api.get("/api/v1/customers").json()["items"]] == [{"po": "PO-1"}]
    # exports
    rows = read_sheet(response_bytes(client.get("/customers/export.xlsx")))
    assert "毛利率" not in rows[0] and "31.50" not in str(rows)
    assert "客户订单号" in rows[0]
    # list page: no column, no filter; form: no input
    for path in ("/customers/", "/customers/C-EAST/edit/", "/customers/new/"):
        html = client.get(path).content.decode()
        assert "毛利率" not in html and "cf_margin" not in html and "31.5" not in html, path
    # filtering or sending it is refused, and nothing changes
    assert api.get("/api/v1/customers", {"cf_margin__gte": "10"}).status_code == 422
    assert client.get("/customers/export.xlsx", {"cf_margin__gte": "10"}).status_code == 422
    refused = api.patch("/api/v1/customers/C-EAST", {"custom": {"margin": "5"}})
    assert refused.status_code == 403
    assert refused.json()["details"] == {"fields": ["custom.margin"]}
    forged = client.post(
        "/customers/C-EAST/edit/",
        {"code": "C-EAST", "name": "苏州精工", "region": "华东", "tier": "key", "cf_margin": "5"},
    )
    assert forged.status_code == 403
    # the audit trail is not open to sales; a manager sees the field there and in the API
    assert client.get("/audit/").status_code == 403
    assert api_as(manager).get("/api/v1/customers/C-EAST").json()["custom"] == {
        "margin": "31.50",
        "po": "PO-1",
    }

    # a sales user's own edit keeps the hidden value
    response = client.post(
        "/customers/C-EAST/edit/",
        {"code": "C-EAST", "name": "苏州精工", "region": "华东", "tier": "key", "cf_po": "PO-2"},
    )
    assert response.status_code == 302
    margin.refresh_from_db()
    assert margin.custom == {"margin": "31.50", "po": "PO-2"}


def test_a_field_others_may_only_read_is_shown_but_not_editable(
    define, client_as, api_as, sales_east, margin
):
    define("customer", "rating", "text", label_zh="信用评级", edit_roles=["manager"])
    from zhongshu.customers.services import customer_update

    customer_update(actor=make_user("admin"), customer=margin, data={"custom": {"rating": "AA"}})

    html = client_as(sales_east).get("/customers/C-EAST/edit/").content.decode()
    assert re.search(r'<span class="label">信用评级</span>\s*<p class="readonly"[^>]*>AA</p>', html)
    assert 'name="cf_rating"' not in html
    refused = api_as(sales_east).patch("/api/v1/customers/C-EAST", {"custom": {"rating": "C"}})
    assert refused.status_code == 403


# --- query counts ---------------------------------------------------------------------------------


def _fill(east, n, keys):
    CustomerFactory.create_batch(n, region=east)
    for i, c in enumerate(Customer.objects.all()):
        c.custom = {k: (i if k.startswith("n") else f"v{i}") for k in keys}
        c.custom["who"] = c.pk % 2 + 1
        c.save()


def _count(client, path):
    client.get(path)  # process-wide caches (content types, …) are not what is measured
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_page_and_api_do_not_grow_with_rows_or_fields(
    define, client_as, api_as, sales_east, east
):
    define("customer", "who", "user", filterable=True)
    define("customer", "t1", "text", filterable=True)
    client, api = client_as(sales_east), api_as(sales_east)
    _fill(east, 3, ["t1"])
    few_page = _count(client, "/customers/?cf_t1__contains=v")
    few_api = _count(api, "/api/v1/customers?cf_t1__contains=v")

    for i in range(2, 8):
        define("customer", f"t{i}", "text", filterable=True)
        define("customer", f"n{i}", "number")
    _fill(east, 30, [f"t{i}" for i in range(1, 8)] + [f"n{i}" for i in range(2, 8)])
    assert Customer.objects.count() == 33
    many_page = _count(client, "/customers/?cf_t1__contains=v")
    many_api = _count(api, "/api/v1/customers?cf_t1__contains=v")

    assert many_page == few_page
    assert many_api == few_api
