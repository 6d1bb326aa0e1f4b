"""Regions, warehouses and suppliers from messy workbooks: exact counts, nothing written before
commit, re-import creates nothing, every problem named by row and column in Chinese."""

import pytest

from tests.factories import make_user
from tests.imports.conftest import xlsx
from zhongshu.accounts.models import Region
from zhongshu.channels.models import AddressRegion
from zhongshu.imports.models import ImportRow
from zhongshu.imports.services import batch_commit, batch_upload
from zhongshu.imports.workbooks import template_workbook
from zhongshu.inventory.models import Warehouse
from zhongshu.planning.models import Supplier

pytestmark = pytest.mark.django_db

TITLE = (0, 0, 0, 3, "期初资料（2026年）")  # a merged title row above the headers


def _errors(batch):
    return sorted(
        (r.row_no, e["column"], e["message"])
        for r in ImportRow.objects.filter(batch=batch)
        for e in r.errors
    )


def _upload(actor, rows, kind):
    return batch_upload(
        actor=actor, content=xlsx(rows, merges=[TITLE]), name=f"{kind}.xlsx", kind=kind
    )


def test_warehouses_messy_workbook_then_reimport_creates_nothing():
    admin = make_user("admin", username="imp_wh_admin")
    rows = [
        [],
        ["仓库编码", "仓库名称", "默认仓库", ""],
        ["ＷＨ０１", "成品仓", "是", ""],  # full-width code
        [None, None, None, None],  # blank row
        ["WH02", "原料仓", "否", ""],
        ["WH03", "", "否", ""],  # no name
        ["WH04", "半成品仓", "也许", ""],  # not yes/no
        ["WH01", "又一个", "", ""],  # repeats row 3
        ["WH05", "辅料仓", "是", ""],  # a second default
        ["合计", "", "", ""],  # a total row: a code with no name
    ]
    batch = _upload(admin, rows, "warehouses")
    assert (batch.total, batch.valid, batch.invalid, batch.duplicate) == (6, 2, 4, 0)
    assert _errors(batch) == [
        (6, "仓库名称", "此字段为必填项。"),
        (7, "默认仓库", "请填写 是 或 否。"),
        (8, "仓库编码", "与第 3 行重复。"),
        (9, "默认仓库", "第 3 行已是默认仓库。"),
    ]  # the blank and the total row are not rows at all
    assert Warehouse.objects.count() == 0  # nothing before commit
    batch_commit(actor=admin, batch_id=batch.pk, mode="valid_only")
    assert list(Warehouse.objects.values_list("code", "name", "is_default")) == [
        ("WH01", "成品仓", True),
        ("WH02", "原料仓", False),
    ]
    again = _upload(admin, rows, "warehouses")
    assert (again.valid, again.duplicate) == (0, 2)


def test_warehouse_import_renames_and_moves_the_default_with_a_warning():
    admin = make_user("admin", username="imp_wh_admin2")
    Warehouse.objects.create(code="WH01", name="旧名", is_default=True)
    Warehouse.objects.create(code="WH02", name="原料仓")
    rows = [["仓库编码", "仓库名称", "默认仓库"], ["WH01", "成品仓", ""], ["WH02", "原料仓", "是"]]
    batch = batch_upload(actor=admin, content=xlsx(rows), name="w.xlsx", kind="warehouses")
    warnings = sorted(
        (r.row_no, w["message"]) for r in ImportRow.objects.filter(batch=batch) for w in r.warnings
    )
    assert warnings == [(2, "将更新仓库 WH01。"), (3, "将更新仓库 WH02。")]
    batch_commit(actor=admin, batch_id=batch.pk, mode="all_or_nothing")
    assert list(Warehouse.objects.values_list("code", "name", "is_default")) == [
        ("WH01", "成品仓", False),
        ("WH02", "原料仓", True),
    ]


def test_suppliers_messy_workbook_then_reimport_creates_nothing():
    buyer = make_user("purchasing", username="imp_buyer")
    Supplier.objects.create(code="S-OLD", name="老供应商", lead_time_days=3)
    rows = [
        [],
        ["供应商编码", "供应商名称", "联系人", "付款条件", "采购提前期(天)"],
        ["s-001", "宁波精密铸件", "陈经理", "月结30天", "１５"],  # full-width digits
        ["S-002", "", "", "", ""],  # no name
        ["S-003", "苏州钢材", "", "", "三天"],  # not a number
        ["S-004", "杭州紧固件", "", "x" * 101, 7],  # terms too long
        ["S-001", "重复", "", "", 1],
        ["S-OLD", "老供应商", "", "", 3],  # as stored
        [None, None, None, None, None],
        ["合计", "", "", "", ""],
    ]
    batch = _upload(buyer, rows, "suppliers")
    assert (batch.total, batch.valid, batch.invalid, batch.duplicate) == (6, 1, 4, 1)
    assert _errors(batch) == [
        (4, "供应商名称", "请输入供应商名称。"),
        (5, "采购提前期(天)", "请输入数字。"),
        (6, "付款条件", "最多 100 个字符。"),
        (7, "供应商编码", "与第 3 行重复。"),
    ]
    assert Supplier.objects.count() == 1
    batch_commit(actor=buyer, batch_id=batch.pk, mode="valid_only")
    s = Supplier.objects.get(code="S-001")
    assert (s.name, s.contact, s.payment_terms, s.lead_time_days) == (
        "宁波精密铸件",
        "陈经理",
        "月结30天",
        15,
    )
    assert Supplier.history.filter(code="S-001").count() == 1
    again = _upload(buyer, rows, "suppliers")
    assert (again.valid, again.duplicate) == (0, 2)


def test_regions_with_their_provinces_then_reimport_creates_nothing():
    admin = make_user("admin", username="imp_region_admin")
    rows = [
        [],
        ["区域", "省份", "城市", ""],
        ["华东", "浙江省", "", ""],
        ["华东", "上海市", "", ""],
        ["华南", "广东", "深圳市", ""],
        ["华北", "", "", ""],
        ["", "江苏", "", ""],  # no region
        ["华中", "", "武汉", ""],  # a city without its province
        ["华西", "浙江", "", ""],  # the province of row 3 again
        ["x" * 51, "", "", ""],
    ]
    batch = _upload(admin, rows, "regions")
    assert (batch.total, batch.valid, batch.invalid, batch.duplicate) == (8, 4, 4, 0)
    assert _errors(batch) == [
        (7, "区域", "此字段为必填项。"),
        (8, "省份", "请填写该城市所在的省份。"),
        (9, "省份", "与第 3 行重复。"),
        (10, "区域", "最多 50 个字符。"),
    ]
    assert Region.objects.count() == 0 and AddressRegion.objects.count() == 0
    batch_commit(actor=admin, batch_id=batch.pk, mode="valid_only")
    assert set(Region.objects.values_list("name", flat=True)) == {"华北", "华南", "华东"}
    assert sorted(AddressRegion.objects.values_list("province", "city", "region__name")) == [
        ("上海", "", "华东"),
        ("广东", "深圳", "华南"),
        ("浙江", "", "华东"),
    ]
    again = _upload(admin, rows, "regions")
    assert (again.valid, again.duplicate) == (0, 4)


@pytest.mark.parametrize("kind", ["regions", "warehouses", "suppliers"])
def test_templates_carry_real_example_rows_that_import_cleanly(kind):
    admin = make_user("admin", "purchasing", username=f"imp_tpl_{kind}")
    batch = batch_upload(actor=admin, content=template_workbook(kind), name="t.xlsx", kind=kind)
    assert (batch.total, batch.valid, batch.invalid) == (1, 1, 0)


def test_a_role_without_the_right_cannot_import():
    from zhongshu.core.errors import PermissionDenied

    sales = make_user("sales", username="imp_sales_wh")
    for kind in ("regions", "warehouses", "suppliers"):
        with pytest.raises(PermissionDenied):
            batch_upload(actor=sales, content=template_workbook(kind), name="t.xlsx", kind=kind)
