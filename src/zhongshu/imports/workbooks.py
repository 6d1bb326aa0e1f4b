"""The two workbooks people download: a template per kind and the error workbook of a batch."""

import datetime as dt
import io

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.core.xlsx import escape_cell

from .kinds import KINDS
from .models import ImportBatch
from .selectors import problem_rows


def _cell(value):
    return escape_cell(value) if isinstance(value, str) else value


def template_workbook(kind: str, columns=None) -> bytes:
    """``columns``: the kind's columns the downloading user sees (all when not given)."""
    spec = KINDS[kind]
    columns = tuple(spec.columns if columns is None else columns)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    sheet = book.add_worksheet(_("Data"))
    for i, col in enumerate(columns):
        sheet.write_string(0, i, _cell(str(col.label)), bold)
        example = col.example
        if col.field == "due_date":
            example = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
        if isinstance(example, int | float):
            sheet.write_number(1, i, example)
        elif example:
            sheet.write_string(1, i, _cell(str(example)))
        sheet.set_column(i, i, 14)
    notes = book.add_worksheet(_("Notes"))
    for i, text in enumerate((_("Column"), _("Required"), _("Notes"))):
        notes.write_string(0, i, text, bold)
    for r, col in enumerate(columns, start=1):
        notes.write_string(r, 0, _cell(str(col.label)))
        notes.write_string(r, 1, _("yes") if col.required else "")
        notes.write_string(r, 2, _cell(str(col.note)))
    notes.write_string(
        len(columns) + 2,
        0,
        _("Dates: 2025-09-03, 2025/9/3, 2025.9.3 or 2025年9月3日. Full-width digits are accepted."),
    )
    notes.set_column(0, 2, 24)
    book.close()
    return out.getvalue()


def error_workbook(batch: ImportBatch) -> bytes:
    """The rows that were not imported, as in the file, plus an error column: fix and upload."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "constant_memory": True, "strings_to_formulas": False}
    )
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_("Errors"))
    headers = [*batch.headers, _("Errors"), _("Row in the original file")]
    for i, h in enumerate(headers):
        sheet.write_string(0, i, _cell(str(h)), bold)
    width = len(batch.headers)
    for r, row in enumerate(
        problem_rows(batch).only("row_no", "raw", "errors", "warnings").iterator(2000), start=1
    ):
        for c, value in enumerate(row.raw[:width]):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, _cell(str(value)))
        messages = [
            f"{e['column']}: {e['message']}" if e["column"] else e["message"] for e in row.errors
        ]
        if not messages:
            messages = [w["message"] for w in row.warnings]
        sheet.write_string(r, width, _cell("; ".join(messages)))
        sheet.write_number(r, width + 1, row.row_no)
    book.close()
    return out.getvalue()
