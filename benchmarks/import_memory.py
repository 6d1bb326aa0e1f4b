"""Peak memory of the order import's upload (read, normalise, validate, stage) at 100,000 rows.

    ZHONGSHU_DATA_DIR=/tmp/zs-import-memory uv run python benchmarks/import_memory.py     # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zs_import_memory \\
        uv run python benchmarks/import_memory.py                                      # PostgreSQL

The file is written once by this process; each measurement runs in a fresh child process and
reports its own peak RSS (``getrusage(RUSAGE_SELF).ru_maxrss``), side by side:
  ours   — batch_upload of the file (validated in the same process, as the worker does)
  floor  — Django set up and the file read into one list of rows by calamine, nothing else
Target: ours < 250 MB peak RSS (BENCH_ROWS, default 100,000).
"""

import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROWS = int(os.environ.get("BENCH_ROWS", 100_000))
TARGET_MB = 250
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
os.environ.setdefault("ZHONGSHU_DATA_DIR", "/tmp/zs-import-memory")
os.environ["IMPORT_BACKGROUND_BYTES"] = str(10**10)  # validate in this process
os.environ["IMPORT_BACKGROUND_ROWS"] = str(10**9)
HEADERS = ["外部单号", "客户编码", "客户名称", "物料编码", "物料名称", "规格", "数量", "单价",
           "金额", "交期", "优先级", "备注"]  # fmt: skip


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def _write_file(path: Path) -> None:
    import xlsxwriter

    due = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sh = book.add_worksheet()
    sh.write_row(0, 0, HEADERS)
    for i in range(ROWS):
        q = i % 9 + 1
        c = (i // 3) % 200
        sh.write_row(i + 1, 0, [f"PO-{i // 3}", f"C{c:04d}", f"客户{c}", f"M{i % 2000:05d}",
                                f"物料{i % 2000}", "DN50", q, 12.5, q * 12.5, due, "普通", ""])  # fmt: skip
    book.close()


def child(which: str, path: str) -> None:
    import django

    django.setup()
    content = Path(path).read_bytes()
    if which == "floor":
        import io

        from python_calamine import load_workbook

        rows = load_workbook(io.BytesIO(content)).get_sheet_by_index(0).to_python()
        print(f"{len(rows)} {peak_mb():.1f}")
        return
    from django.contrib.auth import get_user_model

    from zhongshu.imports.services import batch_upload

    user = get_user_model().objects.get(username="bench")
    batch = batch_upload(actor=user, content=content, name="bench.xlsx", kind="orders")
    assert batch.status == "validated" and batch.valid == ROWS, (batch.status, batch.message)
    print(f"{batch.valid} {peak_mb():.1f}")


def measure(which: str, path: Path) -> float:
    out = subprocess.run([sys.executable, __file__, which, str(path)], check=True,
                         capture_output=True, text=True).stdout.split()  # fmt: skip
    return float(out[-1])


def main() -> None:
    if len(sys.argv) == 3:
        child(sys.argv[1], sys.argv[2])
        return
    _setup_db()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.xlsx"
        _write_file(path)
        size = path.stat().st_size / 1e6
        floor, ours = measure("floor", path), measure("ours", path)
    load = os.getloadavg()[0]
    print(f"file: {ROWS:,} rows × {len(HEADERS)} columns, {size:.1f} MB; load average {load:.2f}")
    print(f"peak RSS  ours {ours:.0f} MB   floor (calamine read alone) {floor:.0f} MB   "
          f"ratio ours/floor {ours / floor:.2f}; target < {TARGET_MB} MB")  # fmt: skip
    print("PASS" if ours < TARGET_MB else "MISS")


if __name__ == "__main__":
    main()
