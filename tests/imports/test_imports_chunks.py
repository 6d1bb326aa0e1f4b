"""A file larger than a chunk: read, validated and staged a chunk at a time, with the same staged
rows, errors and counts as when the whole file is validated at once — orders whose lines straddle
chunks or are spread over the file, codes repeated far apart."""

import pytest

from tests.factories import make_user, make_warehouse
from tests.imports.conftest import ORDER_HEADERS, future, xlsx
from zhongshu.imports.kinds import KINDS
from zhongshu.imports.models import ImportRow
from zhongshu.imports.services import batch_commit, batch_upload

pytestmark = pytest.mark.django_db

WHOLE = 1_000_000
COUNTS = ("status", "total", "valid", "invalid", "blocked", "duplicate", "warnings", "skipped")


def _staged(batch):
    rows = ImportRow.objects.filter(batch=batch).order_by("row_no")
    return [(r.row_no, r.raw, r.data, r.errors, r.warnings, r.status, r.key) for r in rows], tuple(
        getattr(batch, f) for f in COUNTS
    )


def _upload(settings, chunk, actor, content, kind, calls=None):
    settings.IMPORT_VALIDATE_CHUNK = chunk
    batch = batch_upload(actor=actor, content=content, name="f.xlsx", kind=kind)
    staged, counts = _staged(batch)
    ImportRow.objects.filter(batch=batch).delete()
    return staged, counts


@pytest.fixture
def sizes(monkeypatch):
    """The number of rows of each call of the kinds' ``validate``."""
    calls: list[int] = []
    for kind in ("orders", "materials", "stock"):
        real = KINDS[kind].validate

        def spy(actor, rows, headers, columns, real=real):
            calls.append(len(rows))
            return real(actor, rows, headers, columns)

        monkeypatch.setattr(KINDS[kind], "validate", spy)
    return calls


def test_orders_in_chunks_stage_what_the_whole_file_stages(world, settings, sizes, english):
    due, other = future(), future(40)
    head = ["PO-0", "C-EAST", "M-001", 1, None, due, "", ""]
    rows = [ORDER_HEADERS, head]
    for i in range(1, 25):
        rows.append([f"PO-{i // 3}", "C-EAST", "M-001", i, None, due, "", ""])  # 3 lines each
    rows += [
        ["PO-0", "C-EAST", "M-002", 2, None, due, "", ""],  # PO-0's last line, far below
        ["PO-1", "C-EAST", "M-404", 1, None, due, "", ""],  # bad line: PO-1 held back
        ["PO-2", "C-EAST", "M-001", 1, None, other, "", ""],  # due date differs from PO-2's
        ["", "C-EAST", "M-001", 1, None, due, "", ""],  # no number
        ["PO-9", "C-EAST", "M-001", 1, None, due, "", ""],
    ]
    imported = xlsx([ORDER_HEADERS, ["PO-9", "C-EAST", "M-001", 1, None, due, "", ""]])
    first = batch_upload(actor=world.sales, content=imported, name="a.xlsx", kind="orders")
    batch_commit(actor=world.sales, batch_id=first.pk, mode="valid_only")  # PO-9: a duplicate
    content = xlsx(rows)
    whole = _upload(settings, WHOLE, world.sales, content, "orders")
    sizes.clear()
    chunked = _upload(settings, 4, world.sales, content, "orders")
    assert chunked == whole
    assert max(sizes) <= 4 and len(sizes) > 8  # chunks, then the orders met in several again
    status = {r[0]: r[5] for r in chunked[0]}
    assert status[28] == status[29] == status[30] == "invalid"
    assert [status[n] for n in range(5, 11)] == ["blocked"] * 6  # PO-1 and PO-2 held back
    assert {e["message"] for r in chunked[0] if r[0] == 29 for e in r[3]} == {
        f"Differs from row 8 of the same order ({due})."
    }
    assert status[2] == status[27] == "valid" and status[31] == "duplicate"
    assert chunked[1][:6] == ("validated", 30, 20, 3, 6, 1)


def test_codes_repeated_chunks_apart_are_duplicates_of_the_first(world, settings, sizes, english):
    planner = make_user("planner", username="chunk_planner")
    rows = [["物料编码", "物料名称"]] + [[f"N-{i}", f"物料{i}"] for i in range(12)]
    rows += [["N-1", "again"], ["n-11", "again"], ["", "no code"]]
    content = xlsx(rows)
    whole = _upload(settings, WHOLE, planner, content, "materials")
    sizes.clear()
    chunked = _upload(settings, 5, planner, content, "materials")
    assert chunked == whole and max(sizes) <= 5
    errors = {r[0]: r[3] for r in chunked[0] if r[3]}
    assert errors[14] == [{"column": "物料编码", "message": "Duplicate of row 3."}]
    assert errors[15] == [{"column": "物料编码", "message": "Duplicate of row 13."}]
    assert set(errors) == {14, 15, 16}


def test_stock_counts_of_one_place_chunks_apart(world, settings, sizes):
    make_warehouse()
    keeper = make_user("warehouse", username="chunk_wh")
    rows = [["仓库编码", "物料编码", "盘点数量"], ["01", "M-001", 40], ["01", "M-002", 3]]
    rows += [["01", "M-002", 1]] * 3 + [["01", "M-001", 41]]  # same place, another quantity
    content = xlsx(rows)
    whole = _upload(settings, WHOLE, keeper, content, "stock")
    sizes.clear()
    chunked = _upload(settings, 2, keeper, content, "stock")
    assert chunked == whole
    assert sizes == [2, 2, 2, 2, 4]  # three chunks, then each place again: M-002's 4 rows whole
    assert [r[5] for r in chunked[0]] == ["valid", "valid"] + ["invalid"] * 4


def test_too_many_rows_found_while_streaming_stages_nothing(world, settings, english):
    settings.IMPORT_VALIDATE_CHUNK = 2
    settings.IMPORT_MAX_ROWS = 5
    due = future()
    rows = [ORDER_HEADERS] + [
        [f"PO-{i}", "C-EAST", "M-001", 1, None, due, "", ""] for i in range(8)
    ]
    batch = batch_upload(actor=world.sales, content=xlsx(rows), name="f.xlsx", kind="orders")
    assert batch.status == "failed" and batch.message.endswith("split it into smaller files.")
    assert not ImportRow.objects.filter(batch=batch).exists()
