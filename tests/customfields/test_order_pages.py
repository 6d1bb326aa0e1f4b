"""Custom fields of orders on the web: entered on the order form (errors next to the input),
shown on the detail page and as list columns/filters; and the pages where an administrator
defines them."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.customfields.conftest import PDF
from tests.factories import MaterialFactory, make_order
from zhongshu.customfields.models import FieldDefinition
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db


def _post(**extra) -> dict:
    data = {
        "customer": "C-EAST",
        "due_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "priority": "normal",
        "tax_rate": "13",
        "payment_terms": "net30",
        "lines-0-material": "M-1",
        "lines-0-quantity": "3",
        "lines-0-unit_price": "",
        "save": "1",
    }
    data.update(extra)
    return data


@pytest.fixture
def fields(define):
    MaterialFactory(code="M-1")
    return {
        "drawing": define("order", "drawing", "text", label_zh="图号", required=True),
        "grade": define("order", "grade", "choice", label_zh="检验等级",
                        choices=["A", "B"], filterable=True),
        "hardness": define("order", "hardness", "decimal", label_zh="硬度", decimal_places=1),
        "drawing_file": define("order", "drawing_file", "file", label_zh="图纸"),
        "cost": define("order", "cost", "decimal", label_zh="成本", view_roles=["manager"]),
    }  # fmt: skip


def test_the_order_form_takes_custom_fields_and_the_detail_page_shows_them(
    client_as, sales_east, customer_east, fields
):
    client = client_as(sales_east)
    html = client.get("/orders/new/").content.decode()
    assert 'name="cf_drawing"' in html and 'name="cf_grade"' in html
    assert 'name="cf_cost"' not in html  # hidden from sales
    assert 'enctype="multipart/form-data"' in html
    upload = SimpleUploadedFile("图纸.pdf", PDF, content_type="application/pdf")
    r = client.post(
        "/orders/new/",
        _post(cf_drawing="DWG-9", cf_grade="B", cf_hardness="45.5", cf_drawing_file=upload),
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    order = Order.objects.get()
    assert order.custom["drawing"] == "DWG-9" and order.custom["grade"] == "B"
    assert order.custom["hardness"] == "45.5"
    assert order.custom["drawing_file"]["name"].endswith(".pdf")
    html = client.get(r.url).content.decode()
    assert "检验等级" in html and "DWG-9" in html and "45.5" in html
    # the file downloads for whoever sees the order
    file_id = order.custom["drawing_file"]["id"]
    assert f"/api/v1/custom-fields/files/{file_id}" in html
    assert client.get(f"/api/v1/custom-fields/files/{file_id}").status_code == 200


def test_form_errors_are_shown_next_to_the_custom_inputs_and_nothing_is_saved(
    client_as, sales_east, customer_east, fields
):
    r = client_as(sales_east).post("/orders/new/", _post(cf_hardness="4.55", cf_grade="Z"))
    assert r.status_code == 422
    html = r.content.decode()
    assert "图号" in html and "必填" in html.split('name="cf_drawing"')[1][:600]
    assert 'value="4.55"' in html  # what the user typed comes back
    assert not Order.objects.exists()


def test_a_forged_hidden_field_is_refused(client_as, sales_east, customer_east, fields):
    r = client_as(sales_east).post("/orders/new/", _post(cf_drawing="D", cf_cost="1"))
    assert r.status_code == 403
    assert not Order.objects.exists()


def test_the_list_filters_and_shows_a_custom_column(
    client_as, admin_user, customer_east, fields, sales_east
):
    a = make_order(actor=sales_east, customer=customer_east, custom={"drawing": "D1", "grade": "A"})
    b = make_order(actor=sales_east, customer=customer_east, custom={"drawing": "D2", "grade": "B"})
    client = client_as(sales_east)
    html = client.get("/orders/?view=0&cf_grade=B").content.decode()
    assert b.number in html and a.number not in html
    assert 'name="cf_grade"' in html  # the filter input


def test_an_administrator_defines_a_field_on_the_settings_page(client_as, admin_user, sales_east):
    client = client_as(admin_user)
    assert client.get("/settings/fields/").status_code == 200
    r = client.post(
        "/settings/fields/new/",
        {"entity": "order", "key": "finish", "label_zh": "表面处理", "label_en": "Finish",
         "type": "choice", "choices": "anodized | 阳极氧化 | Anodized\nplated | 电镀 | Plated",
         "filterable": "on", "position": "10"},
    )  # fmt: skip
    assert r.status_code == 302
    defn = FieldDefinition.objects.get(key="finish")
    assert [c["label_zh"] for c in defn.choices] == ["阳极氧化", "电镀"]
    # a bad key is explained on the form
    r = client.post(
        "/settings/fields/new/",
        {"entity": "order", "key": "Bad Key", "label_zh": "x", "type": "text"},
    )
    assert r.status_code == 422 and "小写字母" in r.content.decode()
    # removing a choice in use asks what its values become
    make_order(actor=admin_user, custom={"finish": "plated"})
    form = {"label_zh": "表面处理", "label_en": "Finish", "type": "choice",
            "choices": "anodized | 阳极氧化 | Anodized", "filterable": "on", "position": "10"}  # fmt: skip
    r = client.post(f"/settings/fields/{defn.pk}/", form)
    assert r.status_code == 409 and 'name="migrate:plated"' in r.content.decode()
    r = client.post(f"/settings/fields/{defn.pk}/", {**form, "migrate:plated": "anodized"})
    assert r.status_code == 302
    assert Order.objects.get().custom == {"finish": "anodized"}
    # delete and restore
    assert client.post(f"/settings/fields/{defn.pk}/delete/").status_code == 302
    assert FieldDefinition.objects.get(pk=defn.pk).archived_at is not None
    client.post(f"/settings/fields/{defn.pk}/restore/")
    assert FieldDefinition.objects.get(pk=defn.pk).archived_at is None
    # others may not
    assert client_as(sales_east).get("/settings/fields/").status_code == 403


def test_order_line_fields_on_the_form_and_the_detail_page(
    client_as, sales_east, customer_east, define
):
    MaterialFactory(code="M-1")
    define("order_line", "heat_no", "text", label_zh="炉号", required=True)
    client = client_as(sales_east)
    html = client.get("/orders/new/").content.decode()
    assert 'name="lines-0-cf_heat_no"' in html and 'name="lines-1-cf_heat_no"' in html
    r = client.post("/orders/new/", _post())
    assert r.status_code == 422  # required on the line
    assert "炉号" in r.content.decode()
    r = client.post("/orders/new/", _post(**{"lines-0-cf_heat_no": "H-77"}))
    assert r.status_code == 302
    line = Order.objects.get().lines.get()
    assert line.custom == {"heat_no": "H-77"}
    assert "H-77" in client.get(r.url).content.decode()
