"""Order imports: nasty files in, exactly the expected orders (or row errors) out."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.imports.conftest import ORDER_HEADERS, csv_bytes, future, xlsx
from zhongshu.imports.models import BatchStatus, ImportRow, RowStatus
from zhongshu.imports.services import batch_commit, batch_upload
from zhongshu.orders.models import Order, OrderEvent, OrderLine
from zhongshu.orders.services import order_create

pytestmark = pytest.mark.django_db


def _errors(batch):
    return {
        (r.row_no, e["column"], e["message"])
        for r in ImportRow.objects.filter(batch=batch)
        for e in r.errors
    }


def test_valid_file_creates_orders_like_order_create(world):
    # given a file with two orders, one of them with two lines
    due = future()
    content = xlsx([
        ORDER_HEADERS,
        ["PO-1", "C-EAST", "M-001", 2, 12.5, due, "紧急", "first"],
        ["PO-1", "C-EAST", "M-002", 3, None, due, "紧急", ""],
        ["PO-2", "C-EAST", "M-001", "1,234", "1，000.50", due, "", ""],
    ])  # fmt: skip
    # when it is uploaded and committed
    batch = batch_upload(actor=world.sales, content=content, name="o.xlsx", kind="orders")
    assert (batch.status, batch.total, batch.valid, batch.invalid) == ("validated", 3, 3, 0)
    assert Order.objects.count() == 0  # nothing before commit
    batch = batch_commit(actor=world.sales, batch_id=batch.pk, mode="valid_only")
    # then two draft orders exist with lines, amounts, events and history like order_create's
    assert batch.status == BatchStatus.COMMITTED and batch.committed == 3
    o1 = Order.objects.get(external_no="PO-1")
    assert (o1.channel, o1.status, o1.priority) == ("import", "draft", "urgent")
    assert [(str(x.quantity), str(x.unit_price)) for x in o1.lines.all()] == [
        ("2.000", "12.50"),
        ("3.000", "5.50"),
    ]
    reference = order_create(
        actor=world.sales,
        customer="C-EAST",
        due_date=due,
        priority="urgent",
        lines=[{"material": "M-001", "quantity": "2", "unit_price": "12.5", "note": "first"},
               {"material": "M-002", "quantity": "3"}],
    )  # fmt: skip
    for f in ("subtotal", "tax_amount", "total_amount", "tax_rate", "discount_rate",
              "payment_terms", "due_date", "sales_owner_id", "created_by_id", "version"):  # fmt: skip
        assert getattr(o1, f) == getattr(reference, f), f

    def trail(order):
        fields = ("history_type", "history_user_id", "subtotal", "total_amount", "status")
        return [tuple(getattr(h, f) for f in fields) for h in order.history.order_by("history_id")]

    def line_trail(order):
        return sorted(
            (h.history_type, h.history_user_id, h.line_no, h.quantity, h.unit_price, h.amount)
            for h in OrderLine.history.filter(order_id=order.pk)
        )

    assert trail(o1) == trail(reference)
    assert line_trail(o1) == line_trail(reference)
    assert [h.number for h in o1.history.all()] == [o1.number] * 2
    assert OrderEvent.objects.filter(order=o1, action="created").count() == 1
    o2 = Order.objects.get(external_no="PO-2")
    assert o2.lines.get().quantity == 1234 and str(o2.lines.get().unit_price) == "1000.50"
    numbers = sorted(Order.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 3 and int(numbers[-1][-6:]) - int(numbers[0][-6:]) == 2


def test_every_error_in_the_file_is_reported_at_once(world, english):
    # given a file where many rows have different problems
    content = xlsx([
        ["外部单号", "客户代码", "料号", "数量", "单价", "交货日期"],
        ["PO-1", "C-EAST", "M-404", 0, 1, future()],
        ["", "C-NOPE", "M-001", -1, "abc", "2025-02-30"],
        ["PO-3", "C-NORTH", "M-001", 1, 1, future()],
        ["PO-4", "C-EAST", "M-001", 1, 1, "next week"],
    ])  # fmt: skip
    batch = batch_upload(actor=world.sales, content=content, name="bad.xlsx", kind="orders")
    # then every problem is listed with the row number and the header as in the file
    assert _errors(batch) == {
        (2, "料号", "Unknown material: M-404"),
        (2, "数量", "Must be greater than 0."),
        (3, "外部单号", "This field is required."),
        (3, "客户代码", "Unknown customer, or not in your regions: C-NOPE"),
        (3, "数量", "Must be greater than 0."),
        (3, "单价", "Enter a number."),
        (3, "交货日期", "2025-02-30 is not a real date."),
        (4, "客户代码", "Unknown customer, or not in your regions: C-NORTH"),
        (5, "交货日期", "Enter a date such as 2025-09-03."),
    }
    assert batch.invalid == 4 and batch.valid == 0


def test_normalisation_of_dates_numbers_and_full_width(world, english):
    # given dates in every common spelling, full-width digits and stray spaces
    year = timezone.localdate().year + 1
    content = xlsx(
        [
            ORDER_HEADERS,
            ["PO-A", " c-east ", "m-001", "１２", "", f"{year}/9/3", "", ""],
            ["PO-B", "C-EAST", "M-001", 1, "", f"{year}.9.3", "", ""],
            ["PO-C", "C-EAST", "M-001", 1, "", f"{year}年9月3日", "", ""],
            ["PO-D", "C-EAST", "M-001", 1, "", None, "", ""],
            [
                "PO-E",
                "C-EAST",
                "M-001",
                1,
                "",
                (dt.date(year, 9, 3) - dt.date(1899, 12, 30)).days,
                "",
                "",
            ],
            ["PO-F", "C-EAST", "M-001", 1, "", f"{year}-09-03", "", ""],
        ],
        dates=[(4, 5, dt.date(year, 9, 3))],
    )
    batch = batch_upload(actor=world.sales, content=content, name="d.xlsx", kind="orders")
    assert batch.invalid == 0, _errors(batch)
    dues = {
        r.data["external_no"]: r.data["due_date"] for r in ImportRow.objects.filter(batch=batch)
    }
    assert set(dues.values()) == {f"{year}-09-03"}
    assert ImportRow.objects.get(batch=batch, row_no=2).data["quantity"] == "12.000"


def test_merged_cells_formulas_title_blank_and_total_rows(world, english):
    # given a title row merged across the header, an order number merged over its lines,
    # a formula with a cached value, a blank row and a 合计 row
    due = future()
    rows = [
        ["九月订单", None, None, None, None, None, None, None],
        ORDER_HEADERS,
        ["PO-M", "C-EAST", "M-001", 2, 10, due, "", ""],
        [None, "C-EAST", "M-002", 4, 1, due, "", ""],
        [None, None, None, None, None, None, None, None],
        ["PO-N", "C-EAST", "M-001", None, 3, due, "", ""],
        ["合计", None, None, 7, None, None, None, None],
    ]
    content = xlsx(
        rows,
        merges=[(0, 0, 0, 7, "九月订单"), (2, 0, 3, 0, "PO-M")],
        formulas=[(5, 3, "=1+0", 1)],
    )
    batch = batch_upload(actor=world.sales, content=content, name="m.xlsx", kind="orders")
    assert (batch.total, batch.valid, batch.invalid, batch.skipped) == (3, 3, 0, 2), _errors(batch)
    batch_commit(actor=world.sales, batch_id=batch.pk, mode="valid_only")
    assert Order.objects.get(external_no="PO-M").lines.count() == 2
    assert Order.objects.get(external_no="PO-N").lines.get().quantity == 1


def test_gbk_csv_with_chinese_headers_and_bom_utf8(world):
    due = future()
    rows = [ORDER_HEADERS, ["PO-G", "C-EAST", "M-001", "5", "", due, "普通", "中文备注"]]
    for encoding in ("gbk", "utf-8-sig"):
        batch = batch_upload(
            actor=world.sales, content=csv_bytes(rows, encoding), name="g.csv", kind="orders"
        )
        assert (batch.valid, batch.invalid) == (1, 0), (encoding, _errors(batch))
        assert ImportRow.objects.get(batch=batch).data["note"] == "中文备注"


def test_same_file_twice_and_corrected_reimport(world, english):
    # given a file with one good order and one bad one, committed (valid rows only)
    due = future()
    rows = [
        ORDER_HEADERS,
        ["PO-1", "C-EAST", "M-001", 1, 1, due, "", ""],
        ["PO-2", "C-EAST", "M-404", 1, 1, due, "", ""],
        ["PO-2", "C-EAST", "M-002", 1, 1, due, "", ""],
    ]
    content = xlsx(rows)
    first = batch_upload(actor=world.sales, content=content, name="a.xlsx", kind="orders")
    assert (first.valid, first.invalid, first.blocked) == (1, 1, 1)
    batch_commit(actor=world.sales, batch_id=first.pk, mode="valid_only")
    assert Order.objects.count() == 1
    # when the same file comes again: nothing new, and it says so
    again = batch_upload(actor=world.sales, content=content, name="a.xlsx", kind="orders")
    assert again.same_as_id == first.pk and "already imported" in again.message
    assert (again.valid, again.duplicate) == (0, 1)
    batch_commit(actor=world.sales, batch_id=again.pk, mode="valid_only")
    assert Order.objects.count() == 1
    # when the corrected file (error fixed) is uploaded: only the missing order is imported
    rows[2][2] = "M-001"
    fixed = batch_upload(actor=world.sales, content=xlsx(rows), name="b.xlsx", kind="orders")
    assert (fixed.valid, fixed.duplicate) == (2, 1)
    batch_commit(actor=world.sales, batch_id=fixed.pk, mode="valid_only")
    assert sorted(Order.objects.values_list("external_no", flat=True)) == ["PO-1", "PO-2"]
    assert OrderLine.objects.filter(order__external_no="PO-2").count() == 2


def test_all_or_nothing_is_refused_while_rows_have_errors(world):
    from zhongshu.imports.exceptions import BatchNotCommittable

    rows = [ORDER_HEADERS, ["PO-1", "C-EAST", "M-001", 1, 1, future(), "", ""],
            ["PO-2", "C-EAST", "M-404", 1, 1, future(), "", ""]]  # fmt: skip
    batch = batch_upload(actor=world.sales, content=xlsx(rows), name="a.xlsx", kind="orders")
    with pytest.raises(BatchNotCommittable):
        batch_commit(actor=world.sales, batch_id=batch.pk, mode="all_or_nothing")
    assert Order.objects.count() == 0
    ok = batch_upload(actor=world.sales, content=xlsx(rows[:2]), name="b.xlsx", kind="orders")
    batch_commit(actor=world.sales, batch_id=ok.pk, mode="all_or_nothing")
    assert Order.objects.count() == 1


def test_past_due_date_is_a_warning_and_customer_name_must_be_unique(world, english):
    world.extra(code="C-TWIN1", name="双胞胎", region=world.c_east.region)
    world.extra(code="C-TWIN2", name="双胞胎", region=world.c_east.region)
    rows = [
        ["外部单号", "客户名称", "物料编码", "数量", "交期"],
        ["PO-1", world.c_east.name, "M-001", 1, "2020-01-01"],
        ["PO-2", "双胞胎", "M-001", 1, future()],
    ]
    batch = batch_upload(actor=world.sales, content=xlsx(rows), name="n.xlsx", kind="orders")
    r2, r3 = ImportRow.objects.filter(batch=batch).order_by("row_no")
    assert r2.status == RowStatus.VALID and "in the past" in r2.warnings[0]["message"]
    assert r3.status == RowStatus.INVALID and "use the customer code" in r3.errors[0]["message"]


def test_after_commit_hooks_run_once_per_imported_order_and_a_failing_one_is_isolated(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    from zhongshu.analytics.models import DailyActivity
    from zhongshu.orders import hooks

    # given a listener that fails for the second order only, next to the real ones
    heard = []

    def flaky(ctx):
        heard.append(ctx.order.external_no)
        if ctx.order.external_no == "PO-2":
            raise RuntimeError("listener broken")

    monkeypatch.setitem(hooks._after_commit, "created", [flaky])
    rows = [ORDER_HEADERS] + [
        [f"PO-{i}", "C-EAST", "M-001", 1, 1, future(), "", ""] for i in range(1, 4)
    ]
    batch = batch_upload(actor=world.sales, content=xlsx(rows), name="h.xlsx", kind="orders")
    # when the batch is committed
    with django_capture_on_commit_callbacks(execute=True):
        batch_commit(actor=world.sales, batch_id=batch.pk, mode="valid_only")
    # then every order's hooks ran once, in order, and the failure undid nothing else
    assert heard == ["PO-1", "PO-2", "PO-3"]
    assert Order.objects.count() == 3
    counted = DailyActivity.objects.filter(user=world.sales, kind="order.created").get()
    assert counted.count == 3
