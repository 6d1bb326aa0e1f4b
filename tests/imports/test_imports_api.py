"""The import API: upload, preview with paginated errors, commit, error workbook, IDOR."""

import io
import random

import pytest
from python_calamine import load_workbook

from tests.imports.conftest import ORDER_HEADERS, future, xlsx
from zhongshu.imports.models import ImportBatch, ImportRow
from zhongshu.imports.services import batch_upload
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db


def _upload(client, content, kind="orders", name="o.xlsx"):
    return client.client.post(
        "/api/v1/imports",
        {"kind": kind, "file": io.BytesIO(content) if False else _named(content, name)},
        headers=client.headers,
    )


def _named(content, name):
    f = io.BytesIO(content)
    f.name = name
    return f


def test_upload_preview_commit_and_error_workbook(world, api_as):
    api = api_as(world.sales)
    rows = [ORDER_HEADERS, ["PO-1", "C-EAST", "M-001", 1, 1, future(), "", ""],
            ["PO-2", "C-EAST", "M-404", 1, 1, future(), "", "=HYPERLINK(1)"]]  # fmt: skip
    r = _upload(api, xlsx(rows))
    assert r.status_code == 201, r.content
    body = r.json()
    assert {k: body[k] for k in ("status", "total", "valid", "invalid")} == {
        "status": "validated", "total": 2, "valid": 1, "invalid": 1}  # fmt: skip
    r = api.get(f"/api/v1/imports/{body['id']}")
    assert r.json()["errors"] == [{"row": 3, "column": "物料编码", "message": "未知物料：M-404"}]
    # the error workbook has the original row, the error, and a note cell that cannot run
    r = api.get(f"/api/v1/imports/{body['id']}/errors.xlsx")
    grid = load_workbook(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    assert grid[0][:8] == ORDER_HEADERS and grid[1][0] == "PO-2" and grid[1][7] == "'=HYPERLINK(1)"
    assert "M-404" in grid[1][8]
    r = api.post(f"/api/v1/imports/{body['id']}/commit", {"mode": "valid_only"})
    assert r.status_code == 200 and r.json()["status"] == "committed"
    assert Order.objects.count() == 1
    r = api.post(f"/api/v1/imports/{body['id']}/commit", {"mode": "valid_only"})
    assert r.status_code == 409 and Order.objects.count() == 1


def test_bad_input_is_422_never_500(world, api_as):
    api = api_as(world.sales)
    # when a file cannot be read, or has no header row
    for content, name in ((b"\x00\x01garbage", "x.xlsx"), (b"a,b\n1,2\n", "x.csv")):
        r = _upload(api, content, name=name)
        # then it is refused with the error shape, naming the failed batch kept for the audit
        body = r.json()
        assert r.status_code == 422 and body["code"] == "bad_file", body
        assert body["message"] and body["details"]["errors"][0]["field"] == "file"
        batch = ImportBatch.objects.get(pk=body["details"]["batch"])
        assert batch.status == "failed" and batch.message == body["message"]
        assert api.get(f"/api/v1/imports/{batch.pk}").json()["message"] == body["message"]
    ImportBatch.objects.all().delete()
    assert _upload(api, xlsx([ORDER_HEADERS]), kind="nope").status_code == 422
    assert ImportBatch.objects.count() == 0
    # a required column missing: 422 saying which
    r = _upload(api, xlsx([["外部单号", "数量"], ["PO", 1]]))
    assert r.status_code == 422 and "客户编码" in r.json()["message"]
    assert "客户编码" in ImportBatch.objects.get().message
    assert Order.objects.count() == 0


def test_size_and_row_limits_are_refused_clearly(world, api_as, settings):
    api = api_as(world.sales)
    settings.IMPORT_MAX_BYTES = 100
    r = _upload(api, xlsx([ORDER_HEADERS, ["PO", "C-EAST", "M-001", 1, 1, future(), "", ""]]))
    assert r.status_code == 422 and r.json()["code"] == "file_too_large"
    settings.IMPORT_MAX_BYTES = 10**7
    settings.IMPORT_MAX_ROWS = 3
    rows = [ORDER_HEADERS] + [
        [f"PO{i}", "C-EAST", "M-001", 1, 1, future(), "", ""] for i in range(5)
    ]
    r = _upload(api, xlsx(rows))
    assert r.status_code == 422 and "3" in r.json()["message"]
    batch = ImportBatch.objects.get(pk=r.json()["details"]["batch"])
    assert batch.status == "failed" and "3" in batch.message and ImportRow.objects.count() == 0


def test_other_users_batches_are_404_admin_sees_all(world, api_as):
    mine = batch_upload(actor=world.other, content=xlsx([ORDER_HEADERS, ["PO", "C-EAST", "M-001", 1, 1, future(), "", ""]]), name="a.xlsx", kind="orders")  # fmt: skip
    api = api_as(world.sales)
    for path in ("", "/errors.xlsx"):
        assert api.get(f"/api/v1/imports/{mine.pk}{path}").status_code == 404
    assert api.post(f"/api/v1/imports/{mine.pk}/commit", {"mode": "valid_only"}).status_code == 404
    assert Order.objects.count() == 0
    assert api_as(world.admin).get(f"/api/v1/imports/{mine.pk}").status_code == 200


def test_ten_thousand_rows_with_300_errors_all_found_none_invented(
    world, english, settings, django_capture_on_commit_callbacks
):
    # given 10,000 order lines with 300 deliberate errors of six kinds at random rows
    rnd = random.Random(8)
    due = future()
    rows = [ORDER_HEADERS]
    expected = set()
    bad_rows = set(rnd.sample(range(10_000), 300))
    kinds = ["material", "quantity", "price", "date", "customer", "priority"]
    for i in range(10_000):
        row = [f"PO-{i}", "C-EAST", "M-001" if i % 2 else "M-002", i % 7 + 1, "9.90", due, "", ""]
        excel_row = i + 2
        if i in bad_rows:
            k = kinds[i % 6]
            if k == "material":
                row[2] = f"X-{i}"
                expected.add((excel_row, "物料编码", f"Unknown material: X-{i}"))
            elif k == "quantity":
                row[3] = "-3"
                expected.add((excel_row, "数量", "Must be greater than 0."))
            elif k == "price":
                row[4] = "9.9.9"
                expected.add((excel_row, "单价", "Enter a number."))
            elif k == "date":
                row[5] = "2025-13-45"
                expected.add((excel_row, "交期", "2025-13-45 is not a real date."))
            elif k == "customer":
                row[1] = "C-NORTH"
                expected.add(
                    (excel_row, "客户编码", "Unknown customer, or not in your regions: C-NORTH")
                )
            else:
                row[6] = "very"
                expected.add((excel_row, "优先级", "Choose one of: Normal, Urgent, Critical."))
        rows.append(row)
    # when it is uploaded (large: validated by the background task)
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_upload(actor=world.sales, content=xlsx(rows), name="big.xlsx", kind="orders")
    assert batch.status == "validating"
    batch.refresh_from_db()
    # then exactly the 300 planted errors are reported
    found = {
        (r.row_no, e["column"], e["message"])
        for r in ImportRow.objects.filter(batch=batch, status="invalid")
        for e in r.errors
    }
    assert found == expected
    assert (batch.total, batch.invalid, batch.valid) == (10_000, 300, 9_700)


@pytest.mark.parametrize("n", [3, 30])
def test_list_and_preview_query_counts_do_not_grow(world, client, n, django_assert_max_num_queries):
    for i in range(n):
        batch_upload(actor=world.sales, content=xlsx([ORDER_HEADERS, [f"PO{i}", "C-EAST", "M-404", 1, 1, future(), "", ""]]), name=f"{i}.xlsx", kind="orders")  # fmt: skip
    client.force_login(world.sales)
    with django_assert_max_num_queries(8):
        assert client.get("/imports/").status_code == 200
    last = ImportBatch.objects.first()
    with django_assert_max_num_queries(8):
        assert client.get(f"/imports/{last.pk}/").status_code == 200
