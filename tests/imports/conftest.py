import datetime as dt
import io

import pytest
import xlsxwriter
from django.test import override_settings
from django.utils import timezone

from tests.factories import CustomerFactory, MaterialFactory, make_user

ORDER_HEADERS = ["外部单号", "客户编码", "物料编码", "数量", "单价", "交期", "优先级", "备注"]

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


def future(days=30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def xlsx(rows, *, merges=(), formulas=(), dates=()) -> bytes:
    """rows: list of lists; merges: (r0, c0, r1, c1, value); formulas: (r, c, formula, cached);
    dates: (r, c, date) written as real date cells."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet()
    datefmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            sheet.write(r, c, value)
    for r0, c0, r1, c1, value in merges:
        sheet.merge_range(r0, c0, r1, c1, value)
    for r, c, formula, cached in formulas:
        sheet.write_formula(r, c, formula, None, cached)
    for r, c, d in dates:
        sheet.write_datetime(r, c, dt.datetime.combine(d, dt.time()), datefmt)
    book.close()
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8") -> bytes:
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


@pytest.fixture
def world(east, north, customer_east, customer_north):
    m1 = MaterialFactory(code="M-001", standard_price="10.00")
    m2 = MaterialFactory(code="M-002", standard_price="5.50")
    sales = make_user("sales", regions=("华东",), username="imp_sales")
    admin = make_user("admin", username="imp_admin")
    other = make_user("sales", regions=("华东",), username="imp_sales2")
    return type(
        "World",
        (),
        {
            "m1": m1,
            "m2": m2,
            "sales": sales,
            "admin": admin,
            "other": other,
            "c_east": customer_east,
            "c_north": customer_north,
            "extra": CustomerFactory,
        },
    )


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield
