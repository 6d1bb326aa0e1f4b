"""Demo import: a sales clerk's order spreadsheet, committed with its good rows — two rows with
mistakes stay on the batch page with their errors and in the error workbook, ready to fix."""

import datetime as dt
import io

import xlsxwriter
from django.utils import translation

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.customers.models import Customer

from .services import batch_commit, batch_upload

SEED_ORDER = 70

HEADERS = ["客户订单号", "客户编码", "物料编码", "数量", "单价", "交货日期", "优先级", "备注"]


def _workbook(rows: list[list]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("订单")
    sheet.write_row(0, 0, ["客户来单汇总（导入用）"])  # a title above the header, as clerks do
    sheet.write_row(1, 0, HEADERS)
    for r, row in enumerate(rows, start=2):
        sheet.write_row(r, 0, row)
    book.close()
    return out.getvalue()


def seed(ctx) -> None:
    sales = ctx.users.get("sales")
    if sales is None:
        return
    customers = list(
        permissions.scope_customers(sales, Customer.objects.filter(is_active=True)).order_by(
            "code"
        )[:2]
    )
    materials = [
        m
        for m in (ctx.get("materials") or Material.objects.filter(is_active=True).order_by("code"))
        if getattr(m, "is_active", True) and m.standard_price
    ][:4]
    if not customers or len(materials) < 2:
        return
    due = (ctx.today + dt.timedelta(days=21)).isoformat()
    later = (ctx.today + dt.timedelta(days=35)).isoformat()
    c1, c2 = customers[0].code, customers[-1].code
    m = [x.code for x in materials]
    rows = [
        ["PO-DEMO-0101", c1, m[0], 20, None, due, "普通", ""],
        ["PO-DEMO-0101", c1, m[1], 5, None, due, "普通", "随货附合格证"],
        ["PO-DEMO-0102", c2, m[-1], 8, None, later, "加急", ""],
        ["PO-DEMO-0103", c1, m[1], 12, None, later, "", ""],
        # the two mistakes a clerk typically makes: a code typed wrong, a quantity of zero
        ["PO-DEMO-0104", c2, m[0] + "-X", 3, None, later, "", ""],
        ["PO-DEMO-0105", c1, m[0], 0, None, later, "", ""],
    ]
    with translation.override("zh-hans"):
        batch = batch_upload(
            actor=sales, content=_workbook(rows), name="客户来单-演示.xlsx", kind="orders"
        )
        batch = batch_commit(actor=sales, batch_id=batch.pk, mode="valid_only")
    ctx.counts["import batches"] = 1
    ctx.say(f"  1 order import: {batch.committed} rows imported, {batch.invalid} rows with errors")
