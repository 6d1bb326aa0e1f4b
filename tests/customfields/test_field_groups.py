"""Each custom field belongs to a field group — one of the code tables' (price, contact, …) or a
group of its own — and a role hides, reads or edits it through that group, wherever the field
appears: the API, the pages, the exports and the services."""

import pytest
from django.test import Client

from tests.exports.helpers import read_sheet, response_bytes
from tests.factories import CustomerFactory, make_user
from zhongshu.accounts import catalogue, permissions, role_services
from zhongshu.accounts.services import user_update
from zhongshu.core.errors import ValidationFailed
from zhongshu.customers.models import Customer
from zhongshu.customfields import services as cf_services

pytestmark = pytest.mark.django_db


def _holder(admin_user, code, fields):
    role_services.role_create(
        actor=admin_user,
        code=code,
        copy_from="sales",
        data={"name": code, "fields": fields, "scope": "all_regions"},
    )
    user = make_user("sales", username=f"u-{code}")
    user_update(actor=admin_user, user_id=user.pk, display_name=code, roles=[code])
    permissions.forget_cached(user)
    return user


@pytest.fixture
def wechat(define):
    return define("customer", "wechat", "text", label_zh="微信号")


def test_a_field_of_its_own_is_a_group_in_the_catalogue_and_the_editor(admin_user, wechat):
    groups = {g.code: g for g in catalogue.field_groups()}
    assert groups["custom.customer.wechat"].label == "自定义字段：微信号"
    assert "custom.customer.wechat" in role_services.input_groups()
    client = Client()
    client.force_login(admin_user)
    page = client.get("/accounts/roles/sales/").content.decode()
    assert 'name="field_custom.customer.wechat"' in page
    # the shipped roles edit it as before, until a role says otherwise
    assert role_services.role_get(actor=admin_user, code="sales")["fields"][wechat.group] == "edit"


def test_a_hidden_own_group_leaves_the_field_out_everywhere(admin_user, api_as, wechat):
    customer = CustomerFactory(custom={"wechat": "wx-secret"})
    user = _holder(admin_user, "nowechat", {"custom.customer.wechat": "hidden"})
    api = api_as(user)
    assert "wechat" not in api.get(f"/api/v1/customers/{customer.code}").json()["custom"]
    client = Client()
    client.force_login(user)
    assert "wx-secret" not in client.get("/customers/").content.decode()
    rows = read_sheet(response_bytes(client.get("/customers/export.xlsx")))
    assert "微信号" not in rows[0]
    assert "wx-secret" not in str(rows)
    sales = make_user("sales", regions=(customer.region.name,))
    assert api_as(sales).get(f"/api/v1/customers/{customer.code}").json()["custom"] == {
        "wechat": "wx-secret"
    }


def test_a_read_only_own_group_refuses_changes(admin_user, api_as, wechat):
    customer = CustomerFactory(custom={"wechat": "wx-1"})
    user = _holder(admin_user, "readwechat", {"custom.customer.wechat": "read"})
    api = api_as(user)
    assert api.get(f"/api/v1/customers/{customer.code}").json()["custom"] == {"wechat": "wx-1"}
    response = api.patch(f"/api/v1/customers/{customer.code}", {"custom": {"wechat": "wx-2"}})
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "forbidden_field"
    assert Customer.objects.get(pk=customer.pk).custom == {"wechat": "wx-1"}
    assert api.patch(f"/api/v1/customers/{customer.code}", {"name": "改"}).status_code == 200


def test_a_field_in_the_contact_group_follows_the_contact_level(admin_user, api_as, define):
    define("customer", "mobile2", "text", label_zh="备用手机", field_group="contact")
    customer = CustomerFactory(custom={"mobile2": "139"})
    assert "custom.customer.mobile2" not in role_services.input_groups()
    reader = _holder(admin_user, "contactread", {"contact": "read"})
    response = api_as(reader).patch(
        f"/api/v1/customers/{customer.code}", {"custom": {"mobile2": "138"}}
    )
    assert response.status_code == 403
    hider = _holder(admin_user, "contacthide", {"contact": "hidden"})
    body = api_as(hider).get(f"/api/v1/customers/{customer.code}").json()
    assert body["custom"] == {} and body["phone"] is None


@pytest.mark.parametrize("group", ["amounts", "bogus", "custom.customer.x"])
def test_a_field_joins_only_a_group_of_the_code_tables(admin_user, group):
    with pytest.raises(ValidationFailed) as refused:
        cf_services.field_create(
            actor=admin_user, entity="customer", key="k", type="text", label_zh="k",
            field_group=group,
        )  # fmt: skip
    assert [e["field"] for e in refused.value.errors] == ["field_group"]
