"""Customers, materials and stock imports go through their services."""

import pytest

from tests.factories import make_user, make_warehouse
from tests.imports.conftest import csv_bytes, xlsx
from zhongshu.catalog.models import Material
from zhongshu.customers.models import Customer
from zhongshu.imports.models import ImportRow
from zhongshu.imports.services import batch_commit, batch_upload
from zhongshu.inventory.models import StockLevel, StockMovement

pytestmark = pytest.mark.django_db


def test_customers_region_scope_and_duplicates(world, english):
    rows = [["客户编码", "客户名称", "区域", "联系人"],
            ["C-NEW", "新客户", "华东", "王"], ["C-NEW", "重复", "华东", ""],
            ["C-N2", "北方", "华北", ""], ["C-EAST", "已有", "华东", ""]]  # fmt: skip
    batch = batch_upload(actor=world.sales, content=xlsx(rows), name="c.xlsx", kind="customers")
    errs = {
        (r.row_no, e["message"]) for r in ImportRow.objects.filter(batch=batch) for e in r.errors
    }
    assert errs == {(3, "Duplicate of row 2."), (4, "You cannot assign customers to region 华北.")}
    assert batch.duplicate == 1
    batch_commit(actor=world.sales, batch_id=batch.pk, mode="valid_only")
    assert Customer.objects.get(code="C-NEW").contact == "王"
    assert Customer.history.filter(code="C-NEW").count() == 1


def test_materials_need_planner_and_are_created(world, english):
    planner = make_user("planner", username="imp_planner")
    rows = [["物料编码", "物料名称", "标准价", "提前期(天)"], ["m-9", "螺栓", "1,234.5", 7]]
    from zhongshu.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        batch_upload(actor=world.sales, content=xlsx(rows), name="m.xlsx", kind="materials")
    batch = batch_upload(
        actor=planner, content=csv_bytes(rows, "gbk"), name="m.csv", kind="materials"
    )
    batch_commit(actor=planner, batch_id=batch.pk, mode="all_or_nothing")
    m = Material.objects.get(code="M-9")
    assert (str(m.standard_price), m.lead_time_days) == ("1234.50", 7)


def test_stock_count_is_booked_as_adjustment_and_reimport_changes_nothing(world):
    make_warehouse()
    keeper = make_user("warehouse", username="imp_wh")
    rows = [["仓库编码", "物料编码", "盘点数量"], ["01", "M-001", 40], ["", "M-002", "0"]]
    batch = batch_upload(actor=keeper, content=xlsx(rows), name="s.xlsx", kind="stock")
    assert (batch.valid, batch.duplicate) == (1, 1)  # M-002 already has 0
    batch_commit(actor=keeper, batch_id=batch.pk, mode="valid_only")
    assert StockLevel.objects.get(material=world.m1).on_hand == 40
    assert StockMovement.objects.get().reason == "导入"
    again = batch_upload(actor=keeper, content=xlsx(rows), name="s.xlsx", kind="stock")
    assert (again.valid, again.duplicate) == (0, 2)
