"""Inspection plans from a messy workbook, through quality's own checks: nothing written before
commit, a second import of the same file changes nothing."""

from decimal import Decimal

import pytest

from tests.factories import MaterialFactory, make_user
from tests.support.sheets import full_width, messy_xlsx
from zhongshu.imports.models import ImportRow
from zhongshu.imports.services import batch_commit, batch_upload
from zhongshu.quality.models import InspectionPlan

pytestmark = pytest.mark.django_db

HEADERS = ["物料编码", "检验项目", "检验类型", "检验方法", "标准值", "下公差", "上公差", "单位",
           "备注"]  # fmt: skip
ROWS = [
    ["Q-1", "外径", "计量", "千分尺", full_width(50), full_width(0.05), 0.05, "mm", "首检"],
    ["q-1", "外观", "计数", "目视"],
    [],
    ["Q-2", "长度", "计量", None, "五十"],
    ["Q-2", "硬度", "计量", None, 40, 2, 2],
    ["Q-3", "外径", "称重"],
    ["Q-4", "外径", "计量", None, 10, 1, 1],
    ["Q-5", "外观", "计数"],
    ["Q-5", "外观", "计数"],
]


@pytest.fixture
def inspector():
    for code in ("Q-1", "Q-2", "Q-3", "Q-5"):
        MaterialFactory(code=code)
    return make_user("qc", username="imp_qc")


def _errors(batch):
    return {
        (r.row_no, e["column"], e["message"])
        for r in ImportRow.objects.filter(batch=batch)
        for e in r.errors
    }


def test_messy_qc_plans_validate_commit_and_reimport(inspector):
    content = messy_xlsx("检验方案 2026年3月5日", HEADERS, ROWS)
    batch = batch_upload(actor=inspector, content=content, name="qc.xlsx", kind="qc_plans")
    assert (batch.total, batch.valid, batch.invalid, batch.blocked, batch.skipped) == (
        8, 2, 5, 1, 3,
    )  # fmt: skip
    errors = _errors(batch)
    assert {(row, col) for row, col, _m in errors} == {
        (7, "标准值"), (9, "检验类型"), (10, "物料编码"), (11, "检验项目"), (12, "检验项目"),
    }  # fmt: skip
    assert (7, "标准值", "请输入数字。") in errors
    assert (10, "物料编码", "没有物料 Q-4。") in errors
    assert not InspectionPlan.objects.exists()  # nothing written before commit

    batch_commit(actor=inspector, batch_id=batch.pk, mode="valid_only")
    plan = InspectionPlan.objects.get(material__code="Q-1")
    items = [(i.name, i.kind, i.target, i.lower_tolerance, i.unit) for i in plan.items.all()]
    assert (plan.note, items) == (
        "首检",
        [("外径", "measure", Decimal(50), Decimal("0.05"), "mm"),
         ("外观", "attribute", None, None, "")],
    )  # fmt: skip

    again = batch_upload(actor=inspector, content=content, name="qc.xlsx", kind="qc_plans")
    assert (again.valid, again.duplicate) == (0, 2)
    batch_commit(actor=inspector, batch_id=again.pk, mode="valid_only")
    assert InspectionPlan.objects.get().version == 1


def test_the_operation_column_names_where_a_characteristic_is_made(inspector):
    headers = ["物料编码", "检验项目", "检验类型", "标准值", "下公差", "上公差", "工序号"]
    rows = [["Q-1", "外径", "计量", 50, 0.05, 0.05, 10], ["Q-1", "外观", "计数"]]
    content = messy_xlsx("检验方案", headers, rows)
    batch = batch_upload(actor=inspector, content=content, name="qc.xlsx", kind="qc_plans")
    assert (batch.valid, batch.invalid) == (2, 0), _errors(batch)
    batch_commit(actor=inspector, batch_id=batch.pk, mode="valid_only")
    items = InspectionPlan.objects.get(material__code="Q-1").items.order_by("sequence")
    assert [(i.name, i.operation_sequence) for i in items] == [("外径", 10), ("外观", None)]
    # the same file again changes nothing
    again = batch_upload(actor=inspector, content=content, name="qc.xlsx", kind="qc_plans")
    assert again.skipped == 2
