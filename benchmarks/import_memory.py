"""Peak memory of the order import's upload (read, normalise, validate, stage) at 100,000 and at
1,000,000 rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zs_import_memory \\
        uv run python benchmarks/import_memory.py                                      # PostgreSQL
    ZHONGSHU_DATA_DIR=/tmp/zs-import-memory uv run python benchmarks/import_memory.py     # SQLite

The workbooks come from the order import benchmark's builder (benchmarks/import_orders.py) and are
written once to /tmp/zs-import-memory/orders-<rows>.xlsx (the million-row one takes minutes to
write; delete the file to write it again). Each measurement runs in a fresh child process and
reports its own peak RSS (``getrusage``), side by side:
  ours   — batch_upload of the file (validated in the same process, as the worker does)
  parser — the parsing child alone on the file (a process of its own, under its own memory limit,
           SHEET_PARSE_MEMORY_MB): it holds the sheet as calamine reads it
  stream — Django set up and the file read by calamine row by row (``iter_rows``), each row
           dropped once read: the bare read a streaming import cannot go below
  grid   — Django set up and the file read into one list of rows (``to_python``): the bare read
           of the whole sheet at once, the floor of the import before it streamed (100,000 only)
Target: ours < 250 MB peak RSS at 100,000 rows; the million rows imported at all (limits raised:
IMPORT_MAX_ROWS, IMPORT_MAX_BYTES, SHEET_MAX_CELLS, SHEET_PARSE_SECONDS/MEMORY_MB). BENCH_SIZES
(default "100000,1000000") picks the sizes.
"""

import datetime as dt
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SIZES = [int(x) for x in os.environ.get("BENCH_SIZES", "100000,1000000").split(",")]
TARGET_MB = 250
FILES = Path("/tmp/zs-import-memory")
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
os.environ.setdefault("ZHONGSHU_DATA_DIR", "/tmp/zs-import-memory")
os.environ["IMPORT_BACKGROUND_BYTES"] = str(10**10)  # validate in this process
os.environ["IMPORT_BACKGROUND_ROWS"] = str(10**9)
os.environ["IMPORT_MAX_ROWS"] = str(max(SIZES) + 1)
os.environ["IMPORT_MAX_BYTES"] = str(10**9)
HEADERS = ["外部单号", "客户编码", "客户名称", "物料编码", "物料名称", "规格", "数量", "单价",
           "金额", "交期", "优先级", "备注"]  # fmt: skip


def _order_import_benchmark():
    """benchmarks/import_orders.py as a module, for its workbook builder (as history_import.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_bench_import_orders", HERE / "import_orders.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def peak_mb() -> float:
    """This process's own peak RSS (VmHWM). Not ``ru_maxrss``: on Linux a child's ``ru_maxrss``
    starts from its parent's RSS at the fork (it is kept across exec), and this script's parent
    holds Django's migrations — every child would report at least that."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parser_mb(path: Path, rows: int) -> float:
    """Peak RSS of the parsing child (``zhongshu.core.sheet_child``) alone on the file, started by
    /usr/bin/time (whose own RSS is all it inherits)."""
    env = {**os.environ, "ZS_SHEET_MAX_CELLS": str(rows * len(HEADERS) * 2),
           "ZS_SHEET_MEMORY": str(8 << 30), "ZS_SHEET_CPU": "3600"}  # fmt: skip
    with path.open("rb") as fh:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", sys.executable, "-I", "-m", "zhongshu.core.sheet_child"],
            stdin=fh, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=True,
        )  # fmt: skip
    return int(done.stderr.split()[-1]) / 1024


def _setup_db() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        db = Path(os.environ["ZHONGSHU_DATA_DIR"]) / "zhongshu.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from zhongshu.accounts.models import Region
    from zhongshu.catalog.models import Material
    from zhongshu.customers.models import Customer

    call_command("migrate", verbosity=0)
    region = Region.objects.create(name="华东")
    Customer.objects.bulk_create(
        Customer(code=f"C{i:04d}", name=f"客户{i}", region=region) for i in range(200)
    )
    Material.objects.bulk_create(Material(code=f"M{i:05d}", name=f"物料{i}") for i in range(2000))
    user = get_user_model().objects.create(username="bench")
    user.groups.add(Group.objects.get_or_create(name="admin")[0])


def _file(rows: int) -> Path:
    path = FILES / f"orders-{rows}.xlsx"
    if path.exists():
        return path
    due = (dt.date.today() + dt.timedelta(days=60)).isoformat()

    def lines():
        for i in range(rows):
            q = i % 9 + 1
            c = (i // 3) % 200
            yield [f"PO-{i // 3}", f"C{c:04d}", f"客户{c}", f"M{i % 2000:05d}", f"物料{i % 2000}",
                   "DN50", q, 12.5, q * 12.5, due, "普通", ""]  # fmt: skip

    FILES.mkdir(parents=True, exist_ok=True)
    content = _order_import_benchmark().workbook(HEADERS, lines())
    tmp = path.with_suffix(".part")
    tmp.write_bytes(content)
    tmp.rename(path)
    return path


def _raise_limits(rows: int) -> None:
    from django.conf import settings

    settings.SHEET_MAX_CELLS = rows * len(HEADERS) * 2
    settings.SHEET_PARSE_SECONDS = 3600
    settings.SHEET_PARSE_MEMORY_MB = 8192
    settings.SHEET_MAX_XML_BYTES = 4 << 30  # a million rows' sheet XML is above the 256 MB default


def child(which: str, path: str, rows: int) -> None:
    import django

    django.setup()
    if which == "grid" and rows > 200_000:  # the whole sheet as Python objects: gigabytes
        print(f"0 nan {cpu_seconds():.1f}")
        return
    if which in ("stream", "grid"):
        import io

        from python_calamine import load_workbook

        content = Path(path).read_bytes()
        sheet = load_workbook(io.BytesIO(content)).get_sheet_by_index(0)
        n = len(sheet.to_python()) if which == "grid" else sum(1 for _row in sheet.iter_rows())
        print(f"{n} {peak_mb():.1f} {cpu_seconds():.1f}")
        return
    from django.contrib.auth import get_user_model

    from zhongshu.imports.services import batch_upload

    _raise_limits(rows)
    content = Path(path).read_bytes()
    user = get_user_model().objects.get(username="bench")
    batch = batch_upload(actor=user, content=content, name="bench.xlsx", kind="orders")
    assert batch.status == "validated" and batch.valid == rows, (batch.status, batch.message)
    print(f"{batch.valid} {peak_mb():.1f} {cpu_seconds():.1f}")


def cpu_seconds() -> float:
    """user+sys of this process and the children it waited for (the parser)."""
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(which: str, path: Path, rows: int) -> tuple[float, float, float]:
    """(peak RSS MB, wall seconds, CPU seconds of the process and its parser)"""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, which, str(path), str(rows)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        raise SystemExit(f"{which} failed:\n{done.stderr[-2000:]}")
    out = done.stdout.split()
    return float(out[-2]), time.perf_counter() - t0, float(out[-1])


def main() -> None:
    if len(sys.argv) == 4:
        child(sys.argv[1], sys.argv[2], int(sys.argv[3]))
        return
    _setup_db()
    print(f"{'rows':>9} {'file MB':>8} {'ours':>6} {'parser':>7} {'stream':>7} {'grid':>6} "
          f"{'ours/stream':>11} {'ours/grid':>9} {'wall s':>7} {'CPU s':>6}  load average")  # fmt: skip
    verdict = True
    for rows in SIZES:
        path = _file(rows)
        # side by side: each figure is its own process's peak, so they may run at once
        with ThreadPoolExecutor(4) as pool:
            runs = [pool.submit(measure, w, path, rows) for w in ("stream", "grid", "ours")]
            parse = pool.submit(parser_mb, path, rows)
            (stream, *_), (grid, *_), (ours, wall, cpu) = (r.result() for r in runs)
            parser = parse.result()
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"{rows:>9,} {path.stat().st_size / 1e6:>8.1f} {ours:>6.0f} {parser:>7.0f} "
              f"{stream:>7.0f} {grid:>6.0f} {ours / stream:>11.2f} {ours / grid:>9.2f} "
              f"{wall:>7.0f} {cpu:>6.0f}  {load}")  # fmt: skip
        if rows <= 100_000:
            verdict = verdict and ours < TARGET_MB
    print(
        "peak RSS in MB; wall and CPU (user+sys) of the upload's process and its parser; the four"
    )
    print("measurements run at once (each figure is its own process's peak), so wall is shared")
    print(f"target < {TARGET_MB} MB at 100,000 rows: " + ("PASS" if verdict else "MISS"))


if __name__ == "__main__":
    main()
