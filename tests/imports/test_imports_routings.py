"""Routings from a messy workbook: checked by production's own rules, written only at commit,
and a second import of the same file changes nothing."""

from decimal import Decimal

import pytest

from tests.factories import MaterialFactory, make_user
from tests.support.sheets import full_width, messy_xlsx
from zhongshu.imports.models import ImportRow, RowStatus
from zhongshu.imports.services import batch_commit, batch_upload
from zhongshu.production.models import Routing, WorkCenter

pytestmark = pytest.mark.django_db

HEADERS = ["产品编码", "工序号", "工序名称", "产线", "准备工时(小时)", "单件工时", "负责人"]


@pytest.fixture
def plant():
    for code in ("L1", "L2"):
        WorkCenter.objects.create(code=code, name=f"{code}线", hours_per_shift=8)
    for code in ("P-1", "P-2", "P-4", "P-5"):
        MaterialFactory(code=code, fulfilment="make", routing=False)
    MaterialFactory(code="P-3", fulfilment="stock")
    make_user("operator", username="op_li")
    return make_user("planner", username="imp_planner_r")


ROWS = [
    ["p-1", full_width(20), "焊接", "L2", None, 1, None],
    ["P-1", full_width(10), "下料", "l1", full_width(0.5), "0.25", "op_li"],
    [],
    ["P-2", 10, "组装", "L1", 0, "很快"],
    ["P-2", 20, "检验", "L1", 0, 0.1],
    ["P-3", 10, "包装", "L1", 0, 0.1],
    ["P-4", 10, "包装", "L9", 0, 0.1],
    ["P-5", 10, "下料", "L1", 0, 0.1],
    ["P-5", 10, "复检", "L1", 0, 0.1],
]


def _errors(batch):
    return {
        (r.row_no, e["column"], e["message"])
        for r in ImportRow.objects.filter(batch=batch)
        for e in r.errors
    }


def test_messy_routings_validate_commit_and_reimport(plant):
    content = messy_xlsx("2026年工艺路线（导入）", HEADERS, ROWS)
    batch = batch_upload(actor=plant, content=content, name="工艺路线.xlsx", kind="routings")
    # rows 3, 6 (blank) and 13 (合计) skipped; P-2 and P-5 held back whole
    assert (batch.total, batch.valid, batch.invalid, batch.blocked, batch.skipped) == (
        8,
        2,
        4,
        2,
        3,
    )
    assert _errors(batch) == {
        (7, "单件工时", "请输入数字。"),
        (9, "产品编码", "只有按单生产的产品才有工艺路线。"),
        (10, "产线", "未知的生产线。"),
        (12, "工序号", "与第 11 行重复。"),
    }
    assert not Routing.objects.exists()  # nothing written before commit

    batch_commit(actor=plant, batch_id=batch.pk, mode="valid_only")
    ops = list(Routing.objects.get(material__code="P-1").operations.all())
    assert [(o.name, o.work_center.code, o.setup_hours, o.run_hours_per_unit) for o in ops] == [
        ("下料", "L1", Decimal("0.5"), Decimal("0.25")),
        ("焊接", "L2", Decimal("0"), Decimal("1")),
    ]
    assert ops[0].default_owner.username == "op_li"

    again = batch_upload(actor=plant, content=content, name="工艺路线.xlsx", kind="routings")
    assert (again.valid, again.duplicate) == (0, 2)
    batch_commit(actor=plant, batch_id=again.pk, mode="valid_only")
    assert Routing.objects.get(material__code="P-1").version == 1
    assert Routing.objects.count() == 1


def test_a_changed_routing_replaces_the_stored_one_with_a_warning(plant):
    first = messy_xlsx("工艺", HEADERS, [["P-2", 10, "组装", "L1", 0, 0.2]])
    batch_commit(actor=plant, mode="valid_only",
                 batch_id=batch_upload(actor=plant, content=first, name="a.xlsx",
                                       kind="routings").pk)  # fmt: skip
    changed = messy_xlsx("工艺", HEADERS, [["P-2", 10, "组装", "L2", 0, 0.2]])
    batch = batch_upload(actor=plant, content=changed, name="b.xlsx", kind="routings")
    row = ImportRow.objects.get(batch=batch)
    assert (row.status, row.warnings[0]["message"]) == (
        RowStatus.VALID,
        "将替换 P-2 已有的工艺路线。",
    )
    batch_commit(actor=plant, batch_id=batch.pk, mode="valid_only")
    routing = Routing.objects.get(material__code="P-2")
    assert (routing.version, routing.operations.get().work_center.code) == (2, "L2")
