"""Field groups of customers (contact) and materials (cost): hidden, read-only or editable as
the reader's roles say, in the services, the API, the pages and the exports alike."""

from decimal import Decimal

import pytest
from django.test import Client

from tests.exports.helpers import read_sheet, response_bytes
from tests.factories import CustomerFactory, MaterialFactory, make_user
from zhongshu.accounts import catalogue, permissions, role_services
from zhongshu.accounts.services import user_update
from zhongshu.catalog.models import Material
from zhongshu.customers.models import Customer

pytestmark = pytest.mark.django_db

READER = [
    "customers.view",
    "customers.export",
    "materials.view",
    "materials.export",
    "orders.view",
    "orders.export",
]


def _holder(admin, code):
    user = make_user("sales", username=f"u-{code}")
    user_update(actor=admin, user_id=user.pk, display_name=user.username, roles=[code])
    permissions.forget_cached(user)
    return user


@pytest.fixture
def admin():
    return make_user("admin")


@pytest.fixture
def reader(admin):
    """跟单员: sees every region's customers and materials, not their contacts, costs or prices."""
    role_services.role_create(
        actor=admin,
        code="clerk",
        data={
            "name": "跟单员",
            "actions": READER,
            "fields": {"contact": "hidden", "cost": "hidden", "price": "hidden"},
            "scope": "all_regions",
        },
    )
    return _holder(admin, "clerk")


@pytest.fixture
def desk(admin):
    """A copy of sales that reads customers' contacts but may not change them."""
    role_services.role_create(
        actor=admin,
        code="desk",
        copy_from="sales",
        data={"name": "内勤", "fields": {"contact": "read"}, "scope": "all_regions"},
    )
    return _holder(admin, "desk")


@pytest.fixture
def costing(admin):
    """A copy of the planner that reads the standard price but may not change it."""
    role_services.role_create(
        actor=admin,
        code="costing",
        copy_from="planner",
        data={"name": "计划助理", "fields": {"cost": "read"}},
    )
    return _holder(admin, "costing")


def _sheet_headers(response) -> list[str]:
    assert response.status_code == 200
    rows = read_sheet(response_bytes(response))
    return [str(c) for row in rows[:5] for c in row if c not in (None, "")]


def test_the_catalogue_names_the_contact_and_cost_groups():
    groups = {g.code: g for g in catalogue.field_groups()}
    assert groups["contact"].label == "客户联系方式"
    assert "customer.phone" in groups["contact"].meaning
    assert groups["cost"].label == "物料成本"
    assert "material.standard_price" in groups["cost"].meaning
    assert {"contact", "cost"} <= set(role_services.INPUT_GROUPS)


def test_hidden_contact_and_cost_are_null_in_the_api(api_as, reader):
    customer = CustomerFactory(address="苏州工业园区")
    material = MaterialFactory(standard_price=Decimal("12.50"))
    api = api_as(reader)
    body = api.get(f"/api/v1/customers/{customer.code}").json()
    assert (body["contact"], body["phone"], body["address"]) == (None, None, None)
    assert body["name"] == customer.name
    listed = api.get("/api/v1/customers").json()["items"]
    assert {c["phone"] for c in listed} == {None}
    assert api.get(f"/api/v1/materials/{material.code}").json()["standard_price"] is None
    sales = make_user("sales", regions=(customer.region.name,))
    seen = api_as(sales).get(f"/api/v1/customers/{customer.code}").json()
    assert (seen["contact"], seen["address"]) == ("张经理", "苏州工业园区")
    assert api_as(sales).get(f"/api/v1/materials/{material.code}").json()["standard_price"]


def test_a_read_only_contact_is_refused_and_nothing_changes(api_as, desk):
    customer = CustomerFactory()
    api = api_as(desk)
    response = api.patch(f"/api/v1/customers/{customer.code}", {"phone": "021-1"})
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "forbidden_field"
    customer.refresh_from_db()
    assert customer.phone == "13800000000"
    # the same value sent back changes nothing and is not refused; other fields still change
    response = api.patch(
        f"/api/v1/customers/{customer.code}", {"phone": "13800000000", "name": "新名称"}
    )
    assert response.status_code == 200, response.content
    created = api.post(
        "/api/v1/customers",
        {"code": "C-NEW", "name": "新客户", "region": customer.region.name, "contact": "李"},
    )
    assert created.status_code == 403
    assert not Customer.objects.filter(code="C-NEW").exists()


def test_a_read_only_cost_is_refused_and_nothing_changes(api_as, costing):
    material = MaterialFactory(standard_price=Decimal("12.50"))
    api = api_as(costing)
    response = api.patch(f"/api/v1/materials/{material.code}", {"standard_price": "99"})
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "forbidden_field"
    material.refresh_from_db()
    assert material.standard_price == Decimal("12.50")
    assert api.patch(f"/api/v1/materials/{material.code}", {"spec": "DN50"}).status_code == 200
    planner = make_user("planner")
    response = api_as(planner).patch(f"/api/v1/materials/{material.code}", {"standard_price": "9"})
    assert response.status_code == 200


def test_exports_leave_out_hidden_columns(reader):
    CustomerFactory()
    MaterialFactory()
    client = Client()
    client.force_login(reader)
    customers = _sheet_headers(client.get("/customers/export.xlsx"))
    assert "客户名称" in customers or "名称" in customers
    assert not {"联系人", "电话", "地址"} & set(customers)
    materials = _sheet_headers(client.get("/materials/export.xlsx"))
    assert "标准价" not in materials and "安全库存" in materials


def test_list_pages_leave_out_hidden_fields(reader):
    CustomerFactory(phone="13912345678")
    MaterialFactory(standard_price=Decimal("4321.00"))
    client = Client()
    client.force_login(reader)
    customers = client.get("/customers/").content.decode()
    assert "13912345678" not in customers and "张经理" not in customers
    materials = client.get("/materials/").content.decode()
    assert "4,321" not in materials and "4321" not in materials


def test_forms_show_read_only_fields_disabled_and_keep_them(desk):
    customer = CustomerFactory()
    client = Client()
    client.force_login(desk)
    page = client.get(f"/customers/{customer.code}/edit/").content.decode()
    assert 'name="phone"' in page and "disabled" in page.split('name="phone"')[1].split(">")[0]
    response = client.post(
        f"/customers/{customer.code}/edit/",
        {
            "code": customer.code,
            "name": "改名",
            "region": customer.region.name,
            "phone": "999",  # a disabled input's value is not taken
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("改名", "13800000000")


def test_forms_leave_hidden_fields_out(admin, api_as):
    role_services.role_create(
        actor=admin,
        code="nocost",
        copy_from="planner",
        data={"name": "无成本计划员", "fields": {"cost": "hidden"}},
    )
    user = _holder(admin, "nocost")
    material = MaterialFactory(standard_price=Decimal("12.50"))
    client = Client()
    client.force_login(user)
    page = client.get(f"/materials/{material.code}/edit/").content.decode()
    assert 'name="standard_price"' not in page and "12.5" not in page
    response = client.post(
        f"/materials/{material.code}/edit/",
        {"code": material.code, "name": "改名", "unit": "件", "kind": "finished",
         "fulfilment": "stock", "standard_price": "1", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    material = Material.objects.get(pk=material.pk)
    assert (material.name, material.standard_price) == ("改名", Decimal("12.50"))
