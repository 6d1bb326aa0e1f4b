"""The child process of ``zhongshu.core.sheets``: a workbook on stdin, its first sheet on stdout as
a stream of pickles — first ``(rows expected, merged ranges)``, then the rows in lists of
``FRAME_ROWS`` — so the reader never holds the whole sheet as Python objects, in here or in the
parent. Exit 2 with a one-line reason for a file that is not a readable spreadsheet; any other
failure (memory or CPU limit reached) kills only this process. It imports nothing of Django, so it
starts quickly and touches no database."""

import io
import os
import pickle
import sys
from typing import Any, BinaryIO

FRAME_ROWS = 1000


def limit_self() -> None:
    import resource

    memory = int(os.environ.get("ZS_SHEET_MEMORY", str(1024 * 1024 * 1024)))
    seconds = int(os.environ.get("ZS_SHEET_CPU", "60"))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def write_rows(sheet: Any, out: BinaryIO, *, skip_empty: bool) -> None:
    """``iter_rows`` yields the rows from the sheet's first row and the columns from its first
    used one; rows and columns are laid out as ``to_python(skip_empty_area=skip_empty)`` does."""
    start, end = sheet.start or (0, 0), sheet.end or (-1, -1)
    expected = end[0] + 1
    drop = start[0] if skip_empty else 0
    pad = [] if skip_empty else [""] * start[1]
    pickle.dump(
        (expected - drop, [tuple(map(tuple, m)) for m in (sheet.merged_cell_ranges or [])]), out
    )
    frame: list[Any] = []
    count = 0
    for row in sheet.iter_rows():
        count += 1
        if count <= drop:
            continue
        frame.append(pad + row if pad else row)
        if len(frame) >= FRAME_ROWS:
            pickle.dump(frame, out, protocol=pickle.HIGHEST_PROTOCOL)
            frame = []
    if frame:
        pickle.dump(frame, out, protocol=pickle.HIGHEST_PROTOCOL)
    if sheet.end is not None and count != expected:
        raise ValueError(f"the sheet gave {count} rows of {expected}")


def main() -> int:
    limit_self()
    from python_calamine import load_workbook

    content = sys.stdin.buffer.read()
    max_cells = int(os.environ.get("ZS_SHEET_MAX_CELLS", "5000000"))
    try:
        book = load_workbook(io.BytesIO(content))
        del content
        sheet = book.get_sheet_by_index(0)
        if sheet.total_height * max(sheet.total_width, 1) > max_cells:
            print("too_large", file=sys.stderr)
            return 2
        write_rows(sheet, sys.stdout.buffer, skip_empty=bool(os.environ.get("ZS_SHEET_SKIP_EMPTY")))
    except Exception as exc:
        print(str(exc).replace("\n", " ") or type(exc).__name__, file=sys.stderr)
        return 2
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
