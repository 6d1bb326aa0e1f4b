"""Reading spreadsheets people actually send: xlsx/xls/ods through calamine, CSV in UTF-8 (with or
without BOM) or GBK/GB18030. Merged cells are filled from their top-left cell; formula cells come
back as their cached values; the header row is found among the first rows (titles above it are
common); blank rows and total rows are skipped."""

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zhongshu.core import sheets
from zhongshu.core.text import normalize_text

from .exceptions import BadFile

TOTAL_WORDS = ("合计", "总计", "小计", "total", "subtotal", "sum")
HEADER_SCAN_ROWS = 10
# first characters a total-row word can start with (after trimming): cheap pre-check per cell
TOTAL_FIRST = frozenset("tTsS")


@dataclass
class Sheet:
    headers: list[str]
    header_row: int  # 1-based, as Excel shows it
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cells)
    skipped: int = 0


def cell_json(value):
    """A cell as JSON: dates as ISO text, integral floats as ints."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not normalize_text(value))


def _read_grid(content: bytes, name: str) -> list[list]:
    lower = name.lower()
    if lower.endswith((".csv", ".txt")):
        return _read_csv(content)
    if not sheets.looks_like_workbook(name, content):
        return _read_csv(content)
    try:
        parsed = sheets.read_grid(content, name)
    except sheets.SheetRefused as exc:
        raise BadFile(exc.message, code=exc.code) from None
    grid, merged = parsed.rows, parsed.merged
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(grid):
            continue
        top_left = grid[r0][c0] if c0 < len(grid[r0]) else None
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            row = grid[r]
            for c in range(c0, c1 + 1):
                if c >= len(row):
                    row.extend([""] * (c + 1 - len(row)))
                if (r, c) != (r0, c0):
                    row[c] = top_left
    return grid


def _read_csv(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise BadFile(_("The CSV file is neither UTF-8 nor GBK."))
    if "\x00" in text[:4096]:
        raise BadFile(_("The file could not be read as CSV (binary content)."))
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise BadFile(_("The CSV file is malformed: %(e)s") % {"e": exc}) from None


def _total_word(text: str) -> bool:
    t = normalize_text(text).lower()
    return bool(t) and (t.replace(" ", "") in TOTAL_WORDS or t.startswith(("合计", "总计", "小计")))


def is_total_row(cells: list) -> bool:
    return any(
        isinstance(c, str)
        and c
        and (c[0] in TOTAL_FIRST or c[0].isspace() or not c[0].isascii())
        and _total_word(c)
        for c in cells
    )


def read_sheet(content: bytes, name: str, match_header, *, max_rows: int) -> Sheet:
    """``match_header(text)`` tells whether a header text is one of the kind's columns; the
    header row is the first of the first rows with at least two such cells."""
    grid = _read_grid(content, name)
    header_idx = None
    for i, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        if sum(1 for c in row if isinstance(c, str) and match_header(c)) >= 2:
            header_idx = i
            break
    if header_idx is None:
        raise BadFile(_("No header row found: the first rows name none of this kind's columns."))
    headers = [normalize_text(cell_json(c)) if c is not None else "" for c in grid[header_idx]]
    sheet = Sheet(headers=headers, header_row=header_idx + 1)
    width = len(headers)
    for i in range(header_idx + 1, len(grid)):
        cells = grid[i][:width]
        grid[i] = []  # the row lives on in ``sheet.rows`` only: the grid is not held twice
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        if all(_blank(c) for c in cells) or is_total_row(cells):
            sheet.skipped += 1
            continue
        # a header repeated below itself (a vertically merged header) is not data
        if (
            normalize_text(cell_json(cells[0])) == headers[0]
            and [normalize_text(cell_json(c)) for c in cells] == headers
        ):
            sheet.skipped += 1
            continue
        sheet.rows.append((i + 1, cells))
        if len(sheet.rows) > max_rows:
            raise BadFile(
                _("The file has more than %(n)d data rows; split it into smaller files.")
                % {"n": max_rows},
                code="too_many_rows",
            )
    return sheet


def iter_json(cells: list) -> Iterator:
    return (cell_json(c) for c in cells)
