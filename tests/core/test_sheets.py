"""Hostile spreadsheets: inspected before parsing, parsed in a child process with limits."""

import io
import os
import zipfile

import pytest
import xlsxwriter

from tests.support.sheets import PARTS, hostile_xlsx
from zhongshu.core import sheets


def small_xlsx() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["code", "name"])
    ws.write_row(1, 0, ["M-1", 2.5])
    ws.merge_range(3, 0, 3, 1, "merged")
    book.close()
    return out.getvalue()


def test_the_hostile_file_is_small():
    assert len(hostile_xlsx()) < 2000


@pytest.mark.parametrize("dimension", [True, False])
def test_a_huge_declared_or_used_grid_is_refused_before_parsing(dimension):
    with pytest.raises(sheets.SheetRefused) as exc:
        sheets.inspect(hostile_xlsx(dimension=dimension), "x.xlsx")
    assert exc.value.code == "sheet_too_large"
    assert "150,000" in exc.value.message


def test_a_zip_bomb_is_refused_before_parsing():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in PARTS.items():
            z.writestr(name, text)
        z.writestr("xl/sharedStrings.xml", b"<a>" + b" " * (50 * 1024 * 1024) + b"</a>")
    with pytest.raises(sheets.SheetRefused) as exc:
        sheets.inspect(out.getvalue(), "x.xlsx")
    assert exc.value.code == "sheet_too_large"


def test_the_parser_runs_in_a_child_whose_memory_is_limited(settings):
    # the inspection is switched off: the child's own limits must hold on their own
    settings.SHEET_MAX_CELLS = 10**13
    settings.SHEET_MAX_COLUMNS = 10**6
    settings.SHEET_PARSE_MEMORY_MB = 512
    pid = os.getpid()
    with pytest.raises(sheets.SheetRefused) as exc:
        sheets.read_grid(hostile_xlsx(), "x.xlsx")
    assert exc.value.code == "sheet_too_large"
    assert os.getpid() == pid  # this process is still here to tell


def test_an_ordinary_workbook_is_read_with_its_merged_ranges():
    grid = sheets.read_grid(small_xlsx(), "ok.xlsx")
    assert grid.rows[0] == ["code", "name"]
    assert grid.rows[1] == ["M-1", 2.5]
    assert grid.merged == [((3, 0), (3, 1))]


def test_garbage_is_refused_with_a_message():
    with pytest.raises(sheets.SheetRefused) as exc:
        sheets.read_grid(b"PK\x03\x04 not really a zip", "x.xlsx")
    assert exc.value.code == "bad_file"
