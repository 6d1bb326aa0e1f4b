"""Order history import benchmark: 100,000 past order lines, side by side with the order import.

    ZHONGSHU_DATA_DIR=/tmp/zs-history-bench uv run python benchmarks/history_import.py     # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zs_history_bench \
        uv run python benchmarks/history_import.py                                       # PostgreSQL

The same orders (customer, external number, material, quantity, price, due date; 3 lines per
order) go through both imports on one fresh database:
  orders  — the order import (kind "orders"): draft orders, "created" events, after-commit hooks
  history — the history import (kind "history"): closed orders with five dates each, 3–4
            timeline events, a shipment per shipped order (no stock moved), no hooks
Each is upload (parse + normalise + validate + stage) + commit (valid_only). Target: history
≤ 60 s for 100,000 rows on SQLite. Prints both and the ratio history/orders.
"""

import datetime as dt
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

ROWS = int(os.environ.get("BENCH_ROWS", 100_000))
LINES_PER_ORDER = 3
TARGET_SECONDS = 60

# benchmarks/ holds scripts named like packages (rules.py …): never import from it
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
os.environ.setdefault("ZHONGSHU_DATA_DIR", "/tmp/zs-history-bench")
os.environ["IMPORT_BACKGROUND_BYTES"] = str(10**10)  # run everything in this process
os.environ["IMPORT_BACKGROUND_ROWS"] = str(10**9)
os.environ["IMPORT_COMMIT_CHUNK"] = "1000"


def _fresh_database():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return
    db = Path(os.environ["ZHONGSHU_DATA_DIR"]) / "zhongshu.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _order_import_benchmark():
    """benchmarks/import_orders.py as a module, for its workbook builder (benchmarks/ is not a
    package and is kept off sys.path: its scripts are named like packages)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_bench_import_orders", HERE / "import_orders.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


workbook = _order_import_benchmark().workbook


def main():
    _fresh_database()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from zhongshu.accounts.models import Region
    from zhongshu.catalog.models import Material
    from zhongshu.customers.models import Customer
    from zhongshu.imports.services import batch_commit, batch_upload
    from zhongshu.inventory.models import Shipment, StockMovement
    from zhongshu.orders.models import Order, OrderEvent

    region = Region.objects.create(name="华东")
    customers = Customer.objects.bulk_create(
        Customer(code=f"C{i:04d}", name=f"客户{i}", region=region) for i in range(200)
    )
    materials = Material.objects.bulk_create(
        Material(code=f"M{i:05d}", name=f"物料{i}", standard_price=Decimal("9.90"))
        for i in range(2000)
    )
    user = get_user_model().objects.create(username="bench")
    user.groups.add(Group.objects.get_or_create(name="admin")[0])

    today = dt.date.today()
    due = (today + dt.timedelta(days=60)).isoformat()
    n_orders = -(-ROWS // LINES_PER_ORDER)

    def line(i):
        c = customers[(i // LINES_PER_ORDER) % len(customers)]
        m = materials[i % len(materials)]
        return c.code, m.code, i % 9 + 1

    def past(k):
        """Order k of the history: spread over the last three years, one in 20 cancelled."""
        ordered = today - dt.timedelta(days=1110 - (k * 1080 // n_orders))
        d = lambda n: (ordered + dt.timedelta(days=n)).isoformat()  # noqa: E731
        if k % 20 == 0:
            return [ordered.isoformat(), d(20), "", "", "", d(2)]
        return [ordered.isoformat(), d(20), d(1), d(15), d(18), ""]

    order_rows, history_rows = [], []
    for i in range(ROWS):
        code, mat, q = line(i)
        k = i // LINES_PER_ORDER
        order_rows.append([f"PO-{k}", code, mat, q, 12.5, due, "普通", ""])
        history_rows.append([f"HI-{k}", code, *past(k), mat, q, 12.5, q * 12.5])
    orders_file = workbook(
        ["外部单号", "客户编码", "物料编码", "数量", "单价", "交期", "优先级", "备注"], order_rows
    )
    history_file = workbook(
        ["订单号", "客户编码", "下单日期", "交期", "确认日期", "发货日期", "完成日期", "取消日期",
         "物料编码", "数量", "单价", "金额"],
        history_rows,
    )  # fmt: skip
    del order_rows, history_rows
    print(f"{ROWS} rows ({n_orders} orders), db={connection.vendor}, "
          f"files {len(orders_file) / 1e6:.1f} / {len(history_file) / 1e6:.1f} MB")  # fmt: skip

    def run(kind, content):
        t0, c0 = time.perf_counter(), time.process_time()
        batch = batch_upload(actor=user, content=content, name=f"{kind}.xlsx", kind=kind)
        t1, c1 = time.perf_counter(), time.process_time()
        batch = batch_commit(actor=user, batch_id=batch.pk, mode="valid_only")
        t2, c2 = time.perf_counter(), time.process_time()
        assert batch.status == "committed" and batch.committed == ROWS, (
            batch.status, batch.committed, batch.message,
        )  # fmt: skip
        print(f"{kind:8}: validate {t1 - t0:6.1f}s  commit {t2 - t1:6.1f}s  total {t2 - t0:6.1f}s"
              f"  ({ROWS / (t2 - t0):,.0f} rows/s)  peak RSS {rss_mb():.0f} MB")  # fmt: skip
        print(f"{'':8}  CPU: validate {c1 - c0:6.1f}s  commit {c2 - c1:6.1f}s  total {c2 - c0:6.1f}s"
              f"  (process user+sys; wall minus CPU = waiting on a loaded machine)")  # fmt: skip
        return t2 - t0, c2 - c0

    print(f"load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ours_orders, cpu_orders = run("orders", orders_file)
    if os.environ.get("BENCH_PROFILE"):  # BENCH_PROFILE=1: where the history import spends its time
        import cProfile
        import pstats

        profile = cProfile.Profile()
        ours_history, cpu_history = profile.runcall(run, "history", history_file)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        if os.environ["BENCH_PROFILE"].endswith(".prof"):  # for pstats / snakeviz
            profile.dump_stats(os.environ["BENCH_PROFILE"])
    else:
        ours_history, cpu_history = run("history", history_file)
    closed = Order.objects.filter(external_no__startswith="HI-")
    print(f"history written: {closed.count()} orders, "
          f"{OrderEvent.objects.filter(order__in=closed).count()} events, "
          f"{Shipment.objects.count()} shipments, {StockMovement.objects.count()} stock movements")  # fmt: skip
    verdict = "met" if ours_history <= TARGET_SECONDS else "MISSED"
    print(f"ratio history/orders = {ours_history / ours_orders:.2f}× wall, "
          f"{cpu_history / cpu_orders:.2f}× CPU; "
          f"target ≤ {TARGET_SECONDS}s: {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
