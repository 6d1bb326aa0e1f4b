"""The child process of ``zhongshu.core.sheets.read_grid``: a workbook on stdin, its first sheet as
a pickled ``(rows, merged ranges)`` on stdout. Exit 2 with a one-line reason for a file that is not
a readable spreadsheet; any other failure (memory or CPU limit reached) kills only this process.
It imports nothing of Django, so it starts quickly and touches no database."""

import io
import os
import pickle
import sys


def limit_self() -> None:
    import resource

    memory = int(os.environ.get("ZS_SHEET_MEMORY", str(1024 * 1024 * 1024)))
    seconds = int(os.environ.get("ZS_SHEET_CPU", "60"))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main() -> int:
    limit_self()
    from python_calamine import load_workbook

    content = sys.stdin.buffer.read()
    max_cells = int(os.environ.get("ZS_SHEET_MAX_CELLS", "5000000"))
    try:
        book = load_workbook(io.BytesIO(content))
        sheet = book.get_sheet_by_index(0)
        if sheet.total_height * max(sheet.total_width, 1) > max_cells:
            print("too_large", file=sys.stderr)
            return 2
        rows = [
            list(r)
            for r in sheet.to_python(skip_empty_area=bool(os.environ.get("ZS_SHEET_SKIP_EMPTY")))
        ]
        merged = [tuple(map(tuple, m)) for m in (sheet.merged_cell_ranges or [])]
    except Exception as exc:
        print(str(exc).replace("\n", " ") or type(exc).__name__, file=sys.stderr)
        return 2
    sys.stdout.buffer.write(pickle.dumps((rows, merged), protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    sys.exit(main())
