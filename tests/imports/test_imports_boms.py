"""Bills of materials from a messy workbook: multi-level, loops refused, production's own
checks, nothing written before commit, a second import of the same file changes nothing."""

from decimal import Decimal

import pytest

from tests.factories import MaterialFactory, make_user
from tests.support.sheets import full_width, messy_xlsx
from zhongshu.core.errors import ValidationFailed
from zhongshu.imports.models import ImportRow
from zhongshu.imports.services import batch_commit, batch_upload
from zhongshu.production.models import BomLine
from zhongshu.production.services import bom_set

pytestmark = pytest.mark.django_db

HEADERS = ["父项编码", "子项编码", "单位用量", "损耗率(%)"]
ROWS = [
    ["F-1", "S-1", full_width(2), "5%"],
    ["f-1", "R-1", 1, None],
    [],
    ["S-1", "R-2", full_width(0.5), "２％"],
    ["C-1", "C-2", 1],
    ["C-2", "C-1", 1],
    ["F-3", "R-9", 1],
    ["F-2", "R-1", "-1"],
    ["F-2", "R-2", 1],
    ["F-4", "R-1", 1, "120%"],
]


@pytest.fixture
def planner():
    for code in ("F-1", "F-2", "F-3", "F-4", "S-1", "R-1", "R-2", "C-1", "C-2"):
        MaterialFactory(code=code)
    return make_user("planner", username="imp_planner_b")


def _errors(batch):
    return {
        (r.row_no, e["column"], e["message"])
        for r in ImportRow.objects.filter(batch=batch)
        for e in r.errors
    }


def test_messy_boms_validate_commit_and_reimport(planner):
    content = messy_xlsx("物料清单（多级）", HEADERS, ROWS)
    batch = batch_upload(actor=planner, content=content, name="bom.xlsx", kind="boms")
    # rows 3 and 6 blank, the 合计 row skipped; F-2 held back whole
    assert (batch.total, batch.valid, batch.invalid, batch.blocked, batch.skipped) == (
        9, 3, 5, 1, 3,
    )  # fmt: skip
    assert _errors(batch) == {
        (8, "子项编码", "这会使物料清单形成循环：C-1 → C-2 → C-1"),
        (9, "子项编码", "这会使物料清单形成循环：C-2 → C-1 → C-2"),
        (10, "子项编码", "未知物料：R-9"),
        (11, "单位用量", "必须大于 0。"),
        (13, "损耗率(%)", "不能大于 99。"),
    }
    assert not BomLine.objects.exists()  # nothing written before commit

    batch_commit(actor=planner, batch_id=batch.pk, mode="valid_only")
    lines = {
        (b.product.code, b.component.code): (b.quantity_per_unit, b.scrap_percent)
        for b in BomLine.objects.select_related("product", "component")
    }
    assert lines == {
        ("F-1", "S-1"): (Decimal(2), Decimal(5)),
        ("F-1", "R-1"): (Decimal(1), Decimal(0)),
        ("S-1", "R-2"): (Decimal("0.5"), Decimal(2)),
    }

    again = batch_upload(actor=planner, content=content, name="bom.xlsx", kind="boms")
    assert (again.valid, again.duplicate) == (0, 3)
    ids = set(BomLine.objects.values_list("pk", flat=True))
    batch_commit(actor=planner, batch_id=again.pk, mode="valid_only")
    assert set(BomLine.objects.values_list("pk", flat=True)) == ids


def test_a_loop_through_a_stored_bill_is_refused(planner):
    bom_set(
        actor=planner, material_code="S-1", lines=[{"component": "F-1", "quantity_per_unit": 1}]
    )
    content = messy_xlsx("BOM", HEADERS, [["F-1", "S-1", 1]])
    batch = batch_upload(actor=planner, content=content, name="bom.xlsx", kind="boms")
    assert _errors(batch) == {(4, "子项编码", "这会使物料清单形成循环：F-1 → S-1 → F-1")}
    with pytest.raises(ValidationFailed) as refused:
        bom_set(actor=planner, material_code="F-1",
                lines=[{"component": "S-1", "quantity_per_unit": 1}])  # fmt: skip
    assert refused.value.errors == [
        {"field": "lines[0].component", "message": "这会使物料清单形成循环：F-1 → S-1 → F-1"}
    ]
