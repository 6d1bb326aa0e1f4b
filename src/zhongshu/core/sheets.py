"""Reading an uploaded spreadsheet without trusting it.

A spreadsheet is a zip of XML whose sheet may *declare* a grid far larger than its bytes: a 1.5 KB
xlsx holding only A1 and XFD150000 asks a reader for a 16,384 × 150,000 grid (75 GB). So every
workbook goes through two gates before its cells reach the caller:

1. ``inspect`` looks at the file without parsing it: the number of zip members, the uncompressed
   size and compression ratio of each, the declared ``<dimension>`` of every sheet and the highest
   row and column any cell names (``r="XFD150000"``). A grid over ``SHEET_MAX_CELLS`` cells or
   ``SHEET_MAX_COLUMNS`` columns, or a zip bomb, is refused with a message saying why.
2. ``read_grid`` parses in a child process (``python -m zhongshu.core.sheet_child``) with an address
   space limit (RLIMIT_AS, ``SHEET_PARSE_MEMORY_MB``), a CPU limit and a wall-clock timeout
   (``SHEET_PARSE_SECONDS``). Whatever the file does to the parser — abort on a failed allocation,
   loop, segfault — only the child dies; the server or worker answers "could not be read".

CSV is plain text bounded by the upload size limit and is read in-process by the callers.
"""

import os
import pickle
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

ZIP_SUFFIXES = (".xlsx", ".xlsm", ".ods")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# how much of a sheet's XML is scanned for cell references (uncompressed bytes); the member's own
# size is limited by SHEET_MAX_XML_BYTES, so this scan is bounded too
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,4})([0-9]{1,9})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z0-9:$]+)"')
_ODS_REPEAT = re.compile(rb'number-(?:rows|columns)-repeated="([0-9]+)"')
_READ_CHUNK = 1 << 20


class SheetRefused(Exception):
    """The file is not read: ``message`` says why, in the user's language."""

    def __init__(self, message: str, code: str = "bad_file") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_cells() -> int:
    return limit("SHEET_MAX_CELLS", 5_000_000)


@dataclass
class Grid:
    rows: list[list[Any]] = field(default_factory=list)
    merged: list[Any] = field(default_factory=list)  # [((r0, c0), (r1, c1)), ...]


def is_zip_workbook(name: str, content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04" or name.lower().endswith(ZIP_SUFFIXES)


def looks_like_workbook(name: str, content: bytes) -> bool:
    """A workbook by its name or its first bytes (zip, or the OLE2 container of .xls)."""
    return (
        name.lower().endswith(SPREADSHEET_SUFFIXES)
        or content[:4] == b"PK\x03\x04"
        or content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    )


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def _ref_size(ref: bytes) -> tuple[int, int]:
    """``A1:XFD150000`` → (150000, 16384); a single cell → its own row and column."""
    last = ref.decode("ascii").replace("$", "").split(":")[-1]
    m = re.fullmatch(r"([A-Z]{1,4})([0-9]{1,9})", last)
    if not m:
        return 0, 0
    return int(m.group(2)), column_number(m.group(1))


def _refuse_grid(rows: int, cols: int) -> None:
    if cols > limit("SHEET_MAX_COLUMNS", 1000) or rows * cols > max_cells():
        raise SheetRefused(
            _(
                "The sheet spans %(rows)s rows × %(cols)s columns, more than can be read "
                "(at most %(cells)s cells, %(max_cols)s columns). Delete the empty rows and "
                "columns far from the data, or copy the data into a new file."
            )
            % {
                "rows": f"{rows:,}",
                "cols": f"{cols:,}",
                "cells": f"{max_cells():,}",
                "max_cols": limit("SHEET_MAX_COLUMNS", 1000),
            },
            code="sheet_too_large",
        )


def _scan_member(book: zipfile.ZipFile, info: zipfile.ZipInfo, ods: bool) -> None:
    """Stream one sheet's XML and refuse it when the grid it names is too large."""
    rows = cols = 0
    tail = b""
    with book.open(info) as fh:
        while chunk := fh.read(_READ_CHUNK):
            data = tail + chunk
            if ods:
                for m in _ODS_REPEAT.finditer(data):
                    # a repeated run of empty cells is cheap unless it is huge and then filled
                    rows = max(rows, int(m.group(1)))
            else:
                for m in _DIMENSION.finditer(data):
                    r, c = _ref_size(m.group(1))
                    rows, cols = max(rows, r), max(cols, c)
                for m in _CELL_REF.finditer(data):
                    rows = max(rows, int(m.group(2)))
                    cols = max(cols, column_number(m.group(1).decode("ascii")))
            _refuse_grid(rows, max(cols, 1))
            tail = data[-256:]


def inspect(content: bytes, name: str) -> None:
    """Refuse a zip-based workbook whose members or grid are too large; return quietly otherwise."""
    if not is_zip_workbook(name, content):
        return
    try:
        book = zipfile.ZipFile(BytesIO(content))
        members = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise SheetRefused(
            _("The file could not be read as a spreadsheet (damaged zip).")
        ) from None
    if len(members) > limit("SHEET_MAX_MEMBERS", 2000):
        raise SheetRefused(_("The spreadsheet has too many parts to be read."), "sheet_too_large")
    total = 0
    max_xml = limit("SHEET_MAX_XML_BYTES", 256 * 1024 * 1024)
    ratio = limit("SHEET_MAX_ZIP_RATIO", 200)
    for info in members:
        total += info.file_size
        too_big = info.file_size > max_xml or total > 2 * max_xml
        bomb = info.file_size > 1024 * 1024 and info.file_size > ratio * max(info.compress_size, 1)
        if too_big or bomb:
            raise SheetRefused(
                _(
                    "The spreadsheet unpacks to far more data than its size suggests; it is not read."
                ),
                "sheet_too_large",
            )
    lower = [(m, m.filename.lower()) for m in members]
    try:
        for info, fname in lower:
            if fname.startswith("xl/worksheets/") and fname.endswith(".xml"):
                _scan_member(book, info, ods=False)
            elif fname == "content.xml":
                _scan_member(book, info, ods=True)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise SheetRefused(
            _("The file could not be read as a spreadsheet (damaged zip).")
        ) from None


def read_grid(content: bytes, name: str, *, keep_empty_area: bool = True) -> Grid:
    """The first sheet of a workbook as a list of rows (empty area kept, so row numbers match
    Excel's; ``keep_empty_area=False`` starts at the first used cell) plus its merged ranges. Raises ``SheetRefused`` for anything that cannot be read."""
    stream = open_grid(content, name, keep_empty_area=keep_empty_area)
    return Grid(rows=list(stream.rows), merged=stream.merged)


@dataclass
class GridStream:
    """A sheet read row by row: ``height`` rows in all (blank ones included), ``merged`` ranges
    as ``Grid.merged``; ``rows`` can be iterated once."""

    height: int
    merged: list[Any]
    rows: Iterator[list[Any]]


def open_grid(content: bytes, name: str, *, keep_empty_area: bool = True) -> GridStream:
    """``read_grid`` without the whole sheet in memory: the child writes its rows to a temporary
    file in frames of a thousand, which ``rows`` reads one frame at a time."""
    inspect(content, name)
    seconds = limit("SHEET_PARSE_SECONDS", 60)
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "PYTHONPATH")}
    env["ZS_SHEET_MAX_CELLS"] = str(max_cells())
    env["ZS_SHEET_SKIP_EMPTY"] = "" if keep_empty_area else "1"
    # the child sets these limits on itself before it imports the parser (no preexec_fn: it is
    # unsafe in a threaded server)
    env["ZS_SHEET_MEMORY"] = str(limit("SHEET_PARSE_MEMORY_MB", 1024) * 1024 * 1024)
    env["ZS_SHEET_CPU"] = str(seconds)
    out = tempfile.TemporaryFile()  # noqa: SIM115  (closed by ``_frames`` once read)
    try:
        proc = subprocess.run(
            [sys.executable, "-I", "-m", "zhongshu.core.sheet_child"],
            input=content,
            stdout=out,
            stderr=subprocess.PIPE,
            timeout=seconds,
            env=env,
            cwd="/",
            check=False,
        )
    except subprocess.TimeoutExpired:
        out.close()
        raise SheetRefused(
            _("Reading the spreadsheet took longer than %(n)s seconds; it is not read.")
            % {"n": seconds},
            "sheet_too_large",
        ) from None
    if proc.returncode == 0:
        out.seek(0)
        height, merged = pickle.load(out)
        return GridStream(height=height, merged=merged, rows=_frames(out))
    out.close()
    if proc.returncode == 2:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        if detail[0] == "too_large":
            _refuse_grid(max_cells() + 1, 1)
        raise SheetRefused(
            _("The file could not be read as a spreadsheet: %(e)s") % {"e": detail[0][:300]}
        )
    raise SheetRefused(
        _("The spreadsheet needs more memory or time to read than allowed; it is not read."),
        "sheet_too_large",
    )


def _frames(out: IO[bytes]) -> Iterator[list[Any]]:
    with out:
        while True:
            try:
                frame = pickle.load(out)
            except EOFError:
                return
            yield from frame
