"""Writing spreadsheets people open in Excel/WPS.

``escape_cell`` keeps a text cell from being read as a formula (CSV/Excel injection): text that
starts with = + - @ (or a tab/CR) is prefixed with an apostrophe, as OWASP advises.

``write_list`` streams a list export: xlsxwriter in ``constant_memory`` mode flushes each row to
disk as soon as the next one starts, and the rows come from a queryset iterator, so a 100,000-row
export holds one row (and one database chunk) in memory at a time. The workbook is written into an
anonymous temporary file (gone when closed, even if the process is killed) and sent from there.
"""

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000
SHEET_NAME_MAX = 31


def escape_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# --- value formatting --------------------------------------------------------------------------

TEXT, INT, MONEY, QTY, DATE, DATETIME, PERCENT = (
    "text",
    "int",
    "money",
    "qty",
    "date",
    "datetime",
    "percent",
)

NUMBER_FORMATS = {
    MONEY: "#,##0.00",
    QTY: "#,##0.###",
    INT: "0",
    PERCENT: "0.00",
    DATE: "yyyy-mm-dd",
    DATETIME: "yyyy-mm-dd hh:mm",
}


@dataclass
class Column:
    """One column of a list export: its header (in the user's language), how to get the value
    from a row, what kind of value it is, and its width in characters."""

    header: Any
    value: Callable[[Any], Any]
    kind: str = TEXT
    width: float = 14


def naive_local(value: dt.datetime) -> dt.datetime:
    """Excel has no time zones: show the time as the user's clock shows it."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


class Formats:
    """The cell formats of one workbook, created once."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.header = book.add_format(
            {"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True}
        )
        self.kinds = {k: book.add_format({"num_format": f}) for k, f in NUMBER_FORMATS.items()}
        self.text = book.add_format({})

    def add(self, props: dict[str, Any]) -> Any:
        return self.book.add_format(props)


def write_value(
    sheet: Any, row: int, col: int, value: Any, kind: str, formats: Formats, fmt: Any = None
) -> None:
    """Write one cell: numbers as numbers, dates as dates, everything else as escaped text."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt or formats.text)
        return
    if kind in (MONEY, QTY, INT, PERCENT) and isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value), fmt or formats.kinds[kind])
        return
    if isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, naive_local(value), fmt or formats.kinds[DATETIME])
        return
    if isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, fmt or formats.kinds[DATE])
        return
    if isinstance(value, bool):
        value = "✓" if value else ""
    # write_string, never write(): a string is never turned into a formula, number or URL
    sheet.write_string(row, col, str(escape_cell(str(value))), fmt or formats.text)


def new_workbook(target: Any, *, constant_memory: bool = False) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(
        target,
        {
            "constant_memory": constant_memory,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )


def sheet_name(title: object) -> str:
    name = str(title)
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name[:SHEET_NAME_MAX] or "Sheet1"


def write_list(target: Any, *, title: object, columns: list[Column], rows: Iterable[Any]) -> int:
    """Write ``rows`` (any iterable; pass ``qs.iterator(chunk_size=…)``) as one sheet with a
    header row, frozen panes and a filter. Returns the number of data rows written."""
    book = new_workbook(target, constant_memory=True)
    formats = Formats(book)
    sheet = book.add_worksheet(sheet_name(title))
    for c, column in enumerate(columns):
        sheet.set_column(c, c, column.width)
        sheet.write_string(0, c, str(column.header), formats.header)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, obj in enumerate(rows, start=1):
        for c, column in enumerate(columns):
            write_value(sheet, count, c, column.value(obj), column.kind, formats)
    if columns:
        sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    book.close()
    return count


def spool() -> IO[bytes]:
    """An anonymous temporary file to write a workbook into (deleted when closed)."""
    return tempfile.TemporaryFile(suffix=".xlsx")


def dated_filename(stem: object, day: dt.date | None = None, ext: str = "xlsx") -> str:
    """``订单_2026-11-25.xlsx``."""
    day = day or timezone.localdate()
    return f"{stem}_{day.isoformat()}.{ext}"


def download(fileobj: IO[bytes], filename: str) -> FileResponse:
    """Send a written workbook. Django encodes a non-ASCII name as RFC 5987 ``filename*``."""
    fileobj.seek(0)
    response = FileResponse(fileobj, as_attachment=True, filename=filename, content_type=XLSX_MIME)
    response["Cache-Control"] = "private, no-store"
    return response


@dataclass
class ListExport:
    """What one list export is: the permission it needs, its kind for the export log, the filters
    as the user gave them, its columns and the (scoped, filtered) rows."""

    kind: str
    title: Any  # the list's name in the user's language: sheet name and file name stem
    columns: list[Column]
    rows: Iterable[Any]
    filters: dict[str, Any] = field(default_factory=dict)
