"""Custom fields in imports: columns matched by label, values checked like form values, and an
export's custom columns imported back."""

import io

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from tests.imports.conftest import IMMEDIATE, xlsx
from zhongshu.customers.models import Customer
from zhongshu.imports.models import ImportRow
from zhongshu.imports.services import batch_commit, batch_upload

pytestmark = pytest.mark.django_db

CHOICES = [{"value": "key", "label_zh": "重点", "label_en": "Key"}, "normal"]


@pytest.fixture(autouse=True)
def _immediate(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def fields(define):
    return [
        define("customer", "credit", "decimal", label_zh="信用额度", decimal_places=2),
        define("customer", "since", "date", label_zh="合作起始"),
        define("customer", "grade", "choice", label_zh="客户分级", choices=CHOICES),
        define("customer", "vip", "bool", label_zh="VIP"),
        define("customer", "secret", "text", label_zh="内部备注", view_roles=["manager"]),
    ]


def test_custom_columns_are_matched_by_label_checked_and_imported(admin_user, east, fields):
    rows = [
        ["客户编码", "客户名称", "区域", "信用额度", "合作起始", "客户分级", "vip"],
        ["C-A", "甲", "华东", "１２,０００.5", "2025年9月3日", "重点", "是"],
        ["C-B", "乙", "华东", "abc", "someday", "gold", "maybe"],
    ]
    batch = batch_upload(actor=admin_user, content=xlsx(rows), name="c.xlsx", kind="customers")
    bad = {e["column"] for r in ImportRow.objects.filter(batch=batch, row_no=3) for e in r.errors}
    assert bad == {"信用额度", "合作起始", "客户分级", "vip"}
    assert (batch.valid, batch.invalid) == (1, 1)
    batch_commit(actor=admin_user, batch_id=batch.pk, mode="valid_only")
    assert Customer.objects.get(code="C-A").custom == {
        "credit": "12000.50", "since": "2025-09-03", "grade": "key", "vip": True,
    }  # fmt: skip


def test_a_field_the_importer_may_not_see_is_just_an_unknown_column(sales_east, east, fields):
    rows = [["客户编码", "客户名称", "区域", "内部备注"], ["C-S", "丙", "华东", "偷偷写"]]
    batch = batch_upload(actor=sales_east, content=xlsx(rows), name="c.xlsx", kind="customers")
    batch_commit(actor=sales_east, batch_id=batch.pk, mode="valid_only")
    assert Customer.objects.get(code="C-S").custom == {}


def test_an_export_imports_back(admin_user, east, fields, api_as):
    from zhongshu.customers.services import customer_update

    original = Customer.objects.create(code="C-X", name="原", region=east)
    customer_update(
        actor=admin_user,
        customer=original,
        data={"custom": {"credit": "99.9", "since": "2024-01-02", "grade": "normal", "vip": False}},
    )
    data = b"".join(api_as(admin_user).get("/api/v1/customers/export.xlsx").streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    head = next(i for i, row in enumerate(sheet) if "信用额度" in row)
    rows = [list(sheet[head])] + [list(r) for r in sheet[head + 1 :] if any(r)]
    code_col = rows[0].index(next(h for h in rows[0] if h in ("客户编码", "编码", "代码")))
    for r in rows[1:]:
        r[code_col] = "C-COPY"
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet()
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            ws.write(i, j, v)
    book.close()
    batch = batch_upload(
        actor=admin_user, content=out.getvalue(), name="back.xlsx", kind="customers"
    )
    assert batch.invalid == 0, [r.errors for r in ImportRow.objects.filter(batch=batch)]
    batch_commit(actor=admin_user, batch_id=batch.pk, mode="valid_only")
    assert Customer.objects.get(code="C-COPY").custom == Customer.objects.get(code="C-X").custom


def test_order_and_line_fields_import_with_the_orders(admin_user, east, define):
    from tests.factories import CustomerFactory, MaterialFactory
    from tests.imports.conftest import future
    from zhongshu.orders.models import Order

    define("order", "po", "text", label_zh="客户PO号", required=True)
    define("order_line", "heat_no", "text", label_zh="炉号")
    CustomerFactory(code="C-1", region=east)
    MaterialFactory(code="M-1")
    rows = [
        ["外部单号", "客户编码", "物料编码", "数量", "交期", "客户PO号", "炉号"],
        ["E1", "C-1", "M-1", 2, future(), "PO-9", "H1"],
        ["E1", "C-1", "M-1", 3, future(), "PO-9", "H2"],
        ["E2", "C-1", "M-1", 1, future(), "", "H3"],  # the required order field is missing
        ["E3", "C-1", "M-1", 1, future(), "PO-1", ""],
        ["E3", "C-1", "M-1", 1, future(), "PO-2", ""],  # the same order, another PO number
    ]
    batch = batch_upload(actor=admin_user, content=xlsx(rows), name="o.xlsx", kind="orders")
    assert (batch.valid, batch.invalid) == (2, 2), [
        (r.row_no, r.errors) for r in ImportRow.objects.filter(batch=batch)
    ]
    batch_commit(actor=admin_user, batch_id=batch.pk, mode="valid_only")
    order = Order.objects.get(external_no="E1")
    assert order.custom == {"po": "PO-9"}
    assert [ln.custom for ln in order.lines.order_by("line_no")] == [
        {"heat_no": "H1"},
        {"heat_no": "H2"},
    ]
    assert Order.history.filter(id=order.pk).order_by("history_id").last().custom == {"po": "PO-9"}
