"""Supplier prices from a messy workbook (merged title, full-width digits, Chinese dates, blank and
total rows, bad rows): exact counts, every problem named by row and column in Chinese, nothing
written before commit, the template's example row imports as it stands, re-import creates
nothing."""

import datetime as dt
from decimal import Decimal as D

import pytest

from tests.factories import MaterialFactory, make_user
from tests.imports.conftest import xlsx
from tests.support.sheets import full_width, messy_xlsx
from zhongshu.imports.kinds import KINDS
from zhongshu.imports.models import ImportRow
from zhongshu.imports.parsing import read_sheet
from zhongshu.imports.services import batch_commit, batch_upload
from zhongshu.imports.workbooks import template_workbook
from zhongshu.planning.models import Supplier, SupplierPrice

pytestmark = pytest.mark.django_db

HEADERS = ["供应商编码", "物料编码", "单价", "币种", "税率", "最小起订量", "采购提前期(天)",
           "生效日期", "失效日期", "首选"]  # fmt: skip
ROWS = [
    # row 4: full-width digits, a Chinese date, 13%
    ["S-001", "R-2001", full_width("12.5"), "CNY", "13%", full_width("100"), full_width("15"),
     "2026年1月1日", "2026年12月31日", "是"],
    # row 5: tax as 0.09, lower-case codes, no end date
    ["s-002", "r-2001", "11.8", "", "0.09", "", "20", "2026-03-01", None, "否"],
    # row 6: a second material of S-001, dates as Excel dates
    ["S-001", "R-3001", 4, "cny", 13, 500, 7, dt.date(2026, 2, 1), None, None],
    ["S-404", "R-2001", "1", "", "", "", "", "2026-01-01", None, ""],  # row 7: unknown supplier
    ["S-001", "R-404", "1", "", "", "", "", "2026-01-01", None, ""],  # row 8: unknown material
    ["S-002", "R-3001", "十元", "", "", "", "", "2026-01-01", None, ""],  # row 9: not a number
    ["S-002", "R-3001", "3", "", "", "", "", "2026年2月30日", None, ""],  # row 10: no such day
    ["S-002", "R-3001", "3", "", "", "", "", "2026-05-01", "2026-04-01", ""],  # row 11: ends first
    ["S-002", "R-3001", "3", "RMB元", "", "", "", "2026-01-01", None, ""],  # row 12: currency
    ["S-002", "R-3001", "3", "", "", "", "", "2026-01-01", None, "也许"],  # row 13: yes/no
    ["S-001", "R-2001", "12", "", "", "", "", "2026-01-01", None, ""],  # row 14: repeats row 4
    ["", "", "", "", "", "", "", "", "", ""],  # a blank row: not a row at all
]  # fmt: skip


@pytest.fixture
def buyer():
    Supplier.objects.create(code="S-001", name="宁波精密铸件")
    Supplier.objects.create(code="S-002", name="苏州钢材")
    MaterialFactory(code="R-2001", name="圆钢", kind="raw")
    MaterialFactory(code="R-3001", name="螺栓", kind="raw")
    return make_user("purchasing", username="imp_price_buyer")


def _errors(batch):
    return sorted(
        (r.row_no, e["column"], e["message"])
        for r in ImportRow.objects.filter(batch=batch)
        for e in r.errors
    )


def _upload(actor, content):
    return batch_upload(actor=actor, content=content, name="价格.xlsx", kind="supplier_prices")


def test_messy_price_list_then_reimport_creates_nothing(buyer):
    content = messy_xlsx("供应商价格表（2026年）", HEADERS, ROWS)
    batch = _upload(buyer, content)

    assert (batch.total, batch.valid, batch.invalid, batch.duplicate) == (11, 3, 8, 0)
    assert _errors(batch) == [
        (7, "供应商编码", "供应商不存在。"),
        (8, "物料编码", "物料不存在。"),
        (9, "单价", "请输入数字。"),
        (10, "生效日期", "2026年2月30日 不是有效日期。"),
        (11, "失效日期", "有效期截止日早于起始日。"),
        (12, "币种", "请输入三位字母币种代码，例如 CNY。"),
        (13, "首选", "请填写 是 或 否。"),
        (14, "供应商编码", "与第 4 行重复。"),
    ]
    assert SupplierPrice.objects.count() == 0  # nothing before commit

    batch_commit(actor=buyer, batch_id=batch.pk, mode="valid_only")

    got = {
        (p.supplier.code, p.material.code): (p.price, p.currency, p.tax_rate, p.min_order_qty,
                                             p.lead_time_days, p.valid_from, p.valid_to, p.preferred)
        for p in SupplierPrice.objects.select_related("supplier", "material")
    }  # fmt: skip
    assert got == {
        ("S-001", "R-2001"): (D("12.5"), "CNY", D("0.13"), D("100"), 15, dt.date(2026, 1, 1),
                              dt.date(2026, 12, 31), True),
        ("S-002", "R-2001"): (D("11.8"), "CNY", D("0.09"), D("0"), 20, dt.date(2026, 3, 1), None,
                              False),
        ("S-001", "R-3001"): (D("4"), "CNY", D("0.13"), D("500"), 7, dt.date(2026, 2, 1), None,
                              False),
    }  # fmt: skip

    again = _upload(buyer, content)
    assert (again.valid, again.invalid, again.duplicate) == (0, 8, 3)
    batch_commit(actor=buyer, batch_id=again.pk, mode="valid_only")
    assert SupplierPrice.objects.count() == 3


def test_a_changed_price_updates_the_stored_one_with_a_warning(buyer):
    first = _upload(buyer, xlsx([HEADERS, ROWS[0]]))
    assert (first.status, first.valid, _errors(first)) == ("validated", 1, [])
    batch_commit(actor=buyer, batch_id=first.pk, mode="valid_only")
    changed = xlsx([HEADERS, ["S-001", "R-2001", "11.9", *ROWS[0][3:]]])
    batch = _upload(buyer, changed)
    assert (batch.valid, batch.duplicate) == (1, 0)
    (row,) = ImportRow.objects.filter(batch=batch)
    assert [w["message"] for w in row.warnings] == ["更新该供应商、物料和生效日期的已存价格。"]
    batch_commit(actor=buyer, batch_id=batch.pk, mode="valid_only")
    assert list(SupplierPrice.objects.values_list("price", flat=True)) == [D("11.9")]


def test_the_template_example_row_imports_as_it_stands(buyer):
    content = template_workbook("supplier_prices")
    sheet = read_sheet(content, "t.xlsx", KINDS["supplier_prices"].match_header, max_rows=10)
    assert sheet.headers == HEADERS
    assert len(sheet.rows) == 1
    batch = _upload(buyer, content)
    assert (batch.status, batch.total, batch.valid, batch.invalid) == ("validated", 1, 1, 0)


def test_only_who_edits_suppliers_may_import_prices(buyer, client_as):
    for role, status in (("purchasing", 200), ("admin", 200), ("sales", 403), ("operator", 403)):
        client = client_as(make_user(role, username=f"tpl_price_{role}"))
        assert client.get("/imports/templates/supplier_prices.xlsx").status_code == status, role
