"""Opening stock from a messy workbook: booked once per material and warehouse as an opening
movement in the ledger, nothing before commit, a second import changes nothing."""

from decimal import Decimal

import pytest

from tests.factories import MaterialFactory, make_user, make_warehouse
from tests.support.sheets import full_width, messy_xlsx
from zhongshu.imports.models import ImportRow
from zhongshu.imports.services import batch_commit, batch_upload
from zhongshu.inventory.models import StockLevel, StockMovement

pytestmark = pytest.mark.django_db

HEADERS = ["仓库编码", "物料编码", "期初数量", "期初日期"]
ROWS = [
    ["01", "R-1", full_width(120), "2026年3月5日"],
    [None, "r-2", 30],
    [],
    ["02", "R-1", "三十"],
    ["09", "R-3", 5],
    ["01", "R-9", 5],
    ["01", "R-1", 7],
    ["02", "R-3", 10, "2026年2月30日"],
    ["02", "R-2", "-3"],
]


@pytest.fixture
def keeper():
    make_warehouse()
    make_warehouse(code="02", name="原料库", is_default=False)
    for code in ("R-1", "R-2", "R-3"):
        MaterialFactory(code=code)
    return make_user("warehouse", username="imp_keeper")


def _errors(batch):
    return {
        (r.row_no, e["column"], e["message"])
        for r in ImportRow.objects.filter(batch=batch)
        for e in r.errors
    }


def test_messy_opening_stock_validate_commit_and_reimport(keeper):
    content = messy_xlsx("期初库存（2026年3月）", HEADERS, ROWS)
    batch = batch_upload(actor=keeper, content=content, name="期初.xlsx", kind="open_stock")
    assert (batch.status, batch.message) == ("validated", "")
    assert (batch.total, batch.valid, batch.invalid, batch.skipped) == (8, 2, 6, 3)
    errors = _errors(batch)
    assert {(row, col) for row, col, _m in errors} == {
        (7, "期初数量"), (8, "仓库编码"), (9, "物料编码"), (10, "物料编码"), (11, "期初日期"),
        (12, "期初数量"),
    }  # fmt: skip
    assert (8, "仓库编码", "未知仓库：09") in errors
    assert (10, "物料编码", "与第 4 行重复。") in errors
    assert not StockMovement.objects.exists()  # nothing written before commit

    batch_commit(actor=keeper, batch_id=batch.pk, mode="valid_only")
    assert {
        (lv.warehouse.code, lv.material.code): lv.on_hand for lv in StockLevel.objects.all()
    } == {("01", "R-1"): Decimal(120), ("01", "R-2"): Decimal(30)}
    assert sorted(StockMovement.objects.values_list("kind", "reason")) == [
        ("opening", "期初"),
        ("opening", "期初 2026-03-05"),
    ]

    again = batch_upload(actor=keeper, content=content, name="期初.xlsx", kind="open_stock")
    assert (again.valid, again.duplicate) == (0, 2)
    batch_commit(actor=keeper, batch_id=again.pk, mode="valid_only")
    assert StockMovement.objects.count() == 2

    other = messy_xlsx("期初", HEADERS, [["01", "R-1", 100]])
    changed = batch_upload(actor=keeper, content=other, name="b.xlsx", kind="open_stock")
    assert _errors(changed) == {
        (4, "期初数量", "此处已登记期初数量 120；之后的差异请按盘点调整登记。")
    }
