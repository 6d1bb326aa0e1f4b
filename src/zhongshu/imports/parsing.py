"""Reading spreadsheets people actually send: xlsx/xls/ods through calamine, CSV in UTF-8 (with or
without BOM) or GBK/GB18030. Merged cells are filled from their top-left cell; formula cells come
back as their cached values; the header row is found among the first rows (titles above it are
common); blank rows and total rows are skipped."""

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice

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
    # (row number, cells), read as they are iterated (once): the file is never held as a whole
    rows: Iterable[tuple[int, list]] = field(default_factory=list)
    skipped: int = 0  # blank and total rows, counted as ``rows`` goes past them
    estimate: int = 0  # rows below the header, blank ones included: for the progress bar


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


def _read_grid(content: bytes, name: str) -> tuple[int, Iterator[list]]:
    """The sheet's height (an estimate for CSV) and its rows, merged cells filled."""
    lower = name.lower()
    if lower.endswith((".csv", ".txt")) or not sheets.looks_like_workbook(name, content):
        return _read_csv(content)
    try:
        parsed = sheets.open_grid(content, name)
    except sheets.SheetRefused as exc:
        raise BadFile(exc.message, code=exc.code) from None
    return parsed.height, _fill_merged(parsed.rows, parsed.merged)


def _fill_merged(rows: Iterator[list], merged: list) -> Iterator[list]:
    """Each merged range's cells take its top-left cell's value, row by row."""
    starts: dict[int, list] = defaultdict(list)
    for (r0, c0), (r1, c1) in merged:
        starts[r0].append((c0, r1, c1))
    active: list[tuple] = []  # (first row, first column, last row, last column, value)
    for r, row in enumerate(rows):
        for c0, r1, c1 in starts.pop(r, ()):
            active.append((r, c0, r1, c1, row[c0] if c0 < len(row) else None))
        if active:
            for r0, c0, _r1, c1, value in active:
                if len(row) <= c1:
                    row.extend([""] * (c1 + 1 - len(row)))
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        row[c] = value
            active = [a for a in active if a[2] > r]
        yield row


def _read_csv(content: bytes) -> tuple[int, Iterator[list]]:
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
    return text.count("\n") + 1, _csv_rows(text, delimiter)


def _csv_rows(text: str, delimiter: str) -> Iterator[list]:
    try:
        yield from csv.reader(io.StringIO(text), delimiter=delimiter)
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
    """``open_sheet`` with its rows read into a list (``Sheet.rows`` is a list)."""
    sheet = open_sheet(content, name, match_header, max_rows=max_rows)
    sheet.rows = list(sheet.rows)
    return sheet


def open_sheet(content: bytes, name: str, match_header, *, max_rows: int) -> Sheet:
    """``match_header(text)`` tells whether a header text is one of the kind's columns; the
    header row is the first of the first rows with at least two such cells. The data rows are
    read as ``Sheet.rows`` is iterated; a file with more than ``max_rows`` of them raises
    ``BadFile`` from there."""
    height, grid = _read_grid(content, name)
    head = list(islice(grid, HEADER_SCAN_ROWS))
    header_idx = None
    for i, row in enumerate(head):
        if sum(1 for c in row if isinstance(c, str) and match_header(c)) >= 2:
            header_idx = i
            break
    if header_idx is None:
        raise BadFile(_("No header row found: the first rows name none of this kind's columns."))
    headers = [normalize_text(cell_json(c)) if c is not None else "" for c in head[header_idx]]
    sheet = Sheet(
        headers=headers, header_row=header_idx + 1, estimate=max(height - header_idx - 1, 0)
    )
    below = chain(head[header_idx + 1 :], grid)
    sheet.rows = _data_rows(sheet, below, header_idx + 1, max_rows)
    return sheet


def _data_rows(sheet: Sheet, grid: Iterator[list], first: int, max_rows: int):
    headers = sheet.headers
    width = len(headers)
    count = 0
    for i, row in enumerate(grid, first):
        cells = row[:width]
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
        count += 1
        if count > max_rows:
            raise BadFile(
                _("The file has more than %(n)d data rows; split it into smaller files.")
                % {"n": max_rows},
                code="too_many_rows",
            )
        yield i + 1, cells


def iter_json(cells: list) -> Iterator:
    return (cell_json(c) for c in cells)
