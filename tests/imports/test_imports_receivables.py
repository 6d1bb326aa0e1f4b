"""Opening receivables from a messy workbook, through finance's own checks: nothing entered
before commit, entered once per customer and document, then counted in balances, ageing and
statements and open to payments like any receivable."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import CustomerFactory, make_user
from tests.support.sheets import full_width, messy_xlsx
from zhongshu.finance import selectors
from zhongshu.finance.models import Receivable
from zhongshu.imports.models import ImportRow
from zhongshu.imports.services import batch_commit, batch_upload

pytestmark = pytest.mark.django_db

HEADERS = ["客户编码", "单据号", "单据日期", "金额", "到期日"]
ROWS = [
    ["C-1", "FP-001", "2026年1月15日", full_width(12000), "2026年3月31日"],
    ["c-2", "FP-002", "2026/2/1", "5,000.50", "2026-04-30"],
    [],
    ["C-1", "FP-003", "2026年2月30日", 100, "2026-03-01"],
    ["C-9", "FP-004", "2026-01-01", 100, "2026-02-01"],
    ["C-1", "FP-001", "2026-01-15", 12000, "2026-03-31"],
    ["C-2", "FP-005", "2026-03-01", 100, "2026-02-01"],
    ["C-2", "FP-006", "2099-01-01", 100, "2099-02-01"],
    ["C-2", "FP-007", "2026-01-01", "-5", "2026-02-01"],
]


@pytest.fixture
def finance(east):
    CustomerFactory(code="C-1", region=east)
    CustomerFactory(code="C-2", region=east)
    return make_user("finance", username="imp_finance")


def _errors(batch):
    return {
        (r.row_no, e["column"], e["message"])
        for r in ImportRow.objects.filter(batch=batch)
        for e in r.errors
    }


def test_messy_opening_receivables_validate_commit_and_reimport(finance):
    content = messy_xlsx("期初应收（截至2026年3月5日）", HEADERS, ROWS)
    batch = batch_upload(actor=finance, content=content, name="应收.xlsx", kind="receivables")
    assert (batch.status, batch.total, batch.valid, batch.invalid, batch.skipped) == (
        "validated", 8, 2, 6, 3,
    )  # fmt: skip
    errors = _errors(batch)
    assert {(row, col) for row, col, _m in errors} == {
        (7, "单据日期"), (8, "客户编码"), (9, "单据号"), (10, "到期日"), (11, "单据日期"),
        (12, "金额"),
    }  # fmt: skip
    assert (8, "客户编码", "没有这个客户。") in errors
    assert (10, "到期日", "到期日早于单据日期。") in errors
    assert (11, "单据日期", "日期不能晚于今天。") in errors
    assert not Receivable.objects.exists()  # nothing entered before commit

    batch_commit(actor=finance, batch_id=batch.pk, mode="valid_only")
    assert sorted(
        Receivable.objects.values_list("customer__code", "document", "amount", "due_on")
    ) == [
        ("C-1", "FP-001", Decimal("12000.00"), dt.date(2026, 3, 31)),
        ("C-2", "FP-002", Decimal("5000.50"), dt.date(2026, 4, 30)),
    ]
    balances = {c.code: c.balance for c in selectors.balance_list(actor=finance)}
    assert balances == {"C-1": Decimal("12000.00"), "C-2": Decimal("5000.50")}
    assert selectors.ageing(actor=finance, as_of=dt.date(2026, 4, 1))["total"] == Decimal(
        "17000.50"
    )
    statement = selectors.reconciliation(
        actor=finance,
        period=selectors.Period(
            customer="C-1", start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31)
        ),
    )
    assert [(a.reason, a.amount) for a in statement.adjustments] == [
        ("期初应收 FP-001", Decimal("12000.00"))
    ]
    assert statement.closing_balance == Decimal("12000.00")

    again = batch_upload(actor=finance, content=content, name="应收.xlsx", kind="receivables")
    assert (again.valid, again.duplicate) == (0, 2)
    batch_commit(actor=finance, batch_id=again.pk, mode="valid_only")
    assert Receivable.objects.count() == 2

    other = messy_xlsx("应收", HEADERS, [["C-1", "FP-001", "2026-01-15", 13000, "2026-03-31"]])
    changed = batch_upload(actor=finance, content=other, name="b.xlsx", kind="receivables")
    assert _errors(changed) == {(4, "单据号", "单据 FP-001 已按其他金额或日期登记；请用调整更正。")}


def test_a_sales_user_sees_opening_receivables_of_their_regions_only(finance, north):
    CustomerFactory(code="C-N", region=north)
    content = messy_xlsx("应收", HEADERS, [["C-1", "D-1", "2026-01-15", 10, "2026-02-15"],
                                          ["C-N", "D-2", "2026-01-15", 20, "2026-02-15"]])  # fmt: skip
    batch_commit(actor=finance, mode="all_or_nothing",
                 batch_id=batch_upload(actor=finance, content=content, name="r.xlsx",
                                       kind="receivables").pk)  # fmt: skip
    sales = make_user("sales", regions=("华东",), username="imp_sales_r")
    seen = selectors.receivable_list(actor=sales, state="all")
    assert [(r.reference, r.order_number) for r in seen] == [("D-1", "")]
