"""Imports follow the field rules of the importing user's roles: a row that fills in a field the
user may not edit is a row error naming it, nothing of it is written; the template a user
downloads leaves out the columns their roles hide."""

import pytest
from django.test import Client

from tests.exports.helpers import read_sheet
from tests.factories import make_user
from tests.imports.conftest import ORDER_HEADERS, future, xlsx
from zhongshu.accounts import permissions, role_services
from zhongshu.accounts.services import user_update
from zhongshu.catalog.models import Material
from zhongshu.customers.models import Customer
from zhongshu.imports.services import batch_commit, batch_upload
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db


def _holder(copy_from: str, fields: dict, regions=("华东",)):
    admin = make_user("admin")
    code = f"{copy_from}_{'_'.join(f'{g}{v}' for g, v in fields.items())}"
    role_services.role_create(
        actor=admin, code=code, copy_from=copy_from, data={"name": code, "fields": fields}
    )
    user = make_user("sales", regions=regions, username=f"u-{code}")
    user_update(
        actor=admin, user_id=user.pk, display_name=code, roles=[code], regions=list(regions)
    )
    permissions.forget_cached(user)
    return user


def _errors(batch):
    return {(r.row_no, e["column"], e["message"]) for r in batch.rows.all() for e in r.errors}


def test_a_customer_row_setting_a_read_only_contact_is_refused(world):
    desk = _holder("sales", {"contact": "read"})
    rows = [["客户编码", "客户名称", "区域", "联系人", "电话"],
            ["C-A", "甲", "华东", "王经理", ""], ["C-B", "乙", "华东", "", ""]]  # fmt: skip
    batch = batch_upload(actor=desk, content=xlsx(rows), name="c.xlsx", kind="customers")
    assert _errors(batch) == {(2, "联系人", "无权修改字段：联系人")}
    batch_commit(actor=desk, batch_id=batch.pk, mode="valid_only")
    assert not Customer.objects.filter(code="C-A").exists()
    assert Customer.objects.get(code="C-B").contact == ""


def test_a_material_row_setting_a_read_only_cost_is_refused(world):
    helper = _holder("planner", {"cost": "read"}, regions=())
    rows = [["物料编码", "物料名称", "标准价"], ["M-A", "螺栓", "1.5"], ["M-B", "螺母", ""]]
    batch = batch_upload(actor=helper, content=xlsx(rows), name="m.xlsx", kind="materials")
    assert _errors(batch) == {(2, "标准价", "无权修改字段：标准价")}
    batch_commit(actor=helper, batch_id=batch.pk, mode="valid_only")
    assert not Material.objects.filter(code="M-A").exists()
    assert Material.objects.filter(code="M-B").exists()


def test_an_order_row_setting_a_read_only_price_is_refused(world):
    desk = _holder("sales", {"price": "read"})
    content = xlsx([
        ORDER_HEADERS,
        ["PO-1", "C-EAST", "M-001", 2, 99, future(), "", ""],
        ["PO-2", "C-EAST", "M-002", 3, None, future(), "", ""],
    ])  # fmt: skip
    batch = batch_upload(actor=desk, content=content, name="o.xlsx", kind="orders")
    assert _errors(batch) == {(2, "单价", "无权修改字段：单价")}
    batch_commit(actor=desk, batch_id=batch.pk, mode="valid_only")
    assert list(Order.objects.values_list("external_no", flat=True)) == ["PO-2"]


@pytest.mark.parametrize(
    "copy_from,fields,kind,column",
    [
        ("sales", {"contact": "hidden"}, "customers", "联系人"),
        ("planner", {"cost": "hidden"}, "materials", "标准价"),
        ("sales", {"price": "hidden"}, "orders", "单价"),
    ],
)
def test_templates_leave_out_hidden_columns(world, copy_from, fields, kind, column):
    user = _holder(copy_from, fields)
    client = Client()
    client.force_login(user)
    headers = read_sheet(client.get(f"/imports/templates/{kind}.xlsx").content)[0]
    assert column not in headers and len(headers) > 2
    seer = Client()
    seer.force_login(make_user(copy_from, regions=("华东",)))
    assert column in read_sheet(seer.get(f"/imports/templates/{kind}.xlsx").content)[0]
