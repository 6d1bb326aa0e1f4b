"""Scheduling 20,000 open tasks over 5 lines and ~90 days: target < 3 s and < 300 MB.

    uv run python benchmarks/schedule.py                      # the scheduler itself
    uv run python benchmarks/schedule.py --db                 # also the service through PostgreSQL
    uv run python benchmarks/schedule.py --tasks 5000 --db    # quicker

The pure run builds 5,000 task sheets of 4 operations (20,000 tasks) on 5 lines (two of them on
two shifts), a mix of critical/urgent/normal orders with due dates over 90 days, some tasks in
progress and some pinned, sized so the work fills about 90 calendar days; it times
``scheduler.schedule`` and reports peak Python allocations (tracemalloc, a separate run) and the
process's peak RSS.

``--db`` (BENCH_DATABASE_URL or DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
zhongshu_bench_sched; created and migrated if missing) loads the same tasks as rows with bulk
inserts and times ``services.reschedule()`` end to end: loading, scheduling, writing the planned
dates, the per-order plans (projected finish, at risk) and the line load.
"""

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

# this directory holds other benchmarks named like packages (rules.py): keep it off the path
_here = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
sys.path.insert(0, str(_here.parent / "src"))

from zhongshu.production.calendar import LineCalendar  # noqa: E402
from zhongshu.production.scheduler import TaskIn, schedule  # noqa: E402

TIME_TARGET = 3.0
MEMORY_TARGET_MB = 300
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zhongshu_bench_sched"
LINES = [(1, 16), (2, 16), (3, 8), (4, 8), (5, 8)]  # line id, hours per day
OPS_PER_SHEET = 4
TZ = ZoneInfo("Asia/Shanghai")


def make_tasks(n: int, now: dt.datetime, seed: int = 2026) -> list[TaskIn]:
    rng = random.Random(seed)
    working_days = 62  # about 90 calendar days
    capacity_min = sum(h for _l, h in LINES) * 60 * working_days
    mean = 0.85 * capacity_min / n  # minutes per task: the work fills most of the window
    tasks, tid = [], 1
    for sheet in range(1, n // OPS_PER_SHEET + 1):
        order = (sheet + 1) // 2
        priority = rng.choices(["normal", "urgent", "critical"], weights=[80, 15, 5])[0]
        due = now.date() + dt.timedelta(days=rng.randint(5, 90))
        for seq in range(1, OPS_PER_SHEET + 1):
            tasks.append(
                TaskIn(
                    id=tid, order_id=order, sheet_id=sheet, sequence=seq * 10,
                    line_id=rng.choices(LINES, weights=[h for _l, h in LINES])[0][0], minutes=int(rng.uniform(0.2, 1.8) * mean),
                    priority=priority, due=due, in_progress=seq == 1 and rng.random() < 0.02,
                    pinned_date=now.date() + dt.timedelta(days=rng.randint(1, 30))
                    if rng.random() < 0.01 else None,
                )
            )  # fmt: skip
            tid += 1
    return tasks


def calendars() -> dict[int, LineCalendar]:
    return {line: LineCalendar(hours * 60) for line, hours in LINES}


def run_pure(n: int) -> bool:
    now = dt.datetime(2026, 9, 1, 8, tzinfo=TZ)  # across Mid-Autumn and National Day 2026
    tasks = make_tasks(n, now)
    began = time.perf_counter()
    result = schedule(tasks, calendars(), now=now)
    seconds = time.perf_counter() - began
    tracemalloc.start()
    schedule(tasks, calendars(), now=now)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    last = max(result.finish.values())
    at_risk = sum(
        1
        for t in {t.order_id: t for t in tasks}.values()
        if result.order_finish[t.order_id] and result.order_finish[t.order_id].date() > t.due
    )
    print(f"scheduler: {len(tasks)} tasks, {len(LINES)} lines, last finish {last:%Y-%m-%d} "
          f"({(last.date() - now.date()).days} days), {len(result.unscheduled)} unscheduled, "
          f"{at_risk} orders at risk")  # fmt: skip
    ok = seconds < TIME_TARGET and rss_mb < MEMORY_TARGET_MB
    print(f"  time {seconds:.3f} s (target < {TIME_TARGET} s), python peak "
          f"{peak / 2**20:.1f} MB, process peak RSS {rss_mb:.0f} MB (target < "
          f"{MEMORY_TARGET_MB} MB) → {'PASS' if ok else 'FAIL'}")  # fmt: skip
    return ok


# --- through the database -----------------------------------------------------------------------


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def run_db(n: int, url: str) -> bool:
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("ZHONGSHU_DATA_DIR", tempfile.mkdtemp(prefix="zs-bench-sched-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from zhongshu.accounts.models import Region
    from zhongshu.catalog.models import Material
    from zhongshu.customers.models import Customer
    from zhongshu.orders.models import Order, OrderLine
    from zhongshu.production.models import LineLoad, ProductionPlan, Task, TaskSheet, WorkCenter

    call_command("migrate", verbosity=0, interactive=False)
    now = timezone.localtime()
    pure = make_tasks(n, now)
    with transaction.atomic():
        Task.objects.all().delete()
        TaskSheet.objects.all().delete()
        ProductionPlan.objects.all().delete()
        LineLoad.objects.all().delete()
        Order.objects.filter(number__startswith="BS-").delete()
        user = get_user_model().objects.get_or_create(username="bench_sched")[0]
        region = Region.objects.get_or_create(name="华东")[0]
        customer = Customer.objects.get_or_create(
            code="C-BSCHED", defaults={"name": "排程基准", "region": region}
        )[0]
        material = Material.objects.get_or_create(
            code="BS-PART", defaults={"name": "基准零件", "fulfilment": "make"}
        )[0]
        wcs = {}
        for line, hours in LINES:
            wcs[line] = WorkCenter.objects.update_or_create(
                code=f"BS-{line}",
                defaults={"name": f"基准线{line}", "hours_per_shift": hours // 2 if hours > 8
                          else hours, "shifts_per_day": 2 if hours > 8 else 1},
            )[0]  # fmt: skip
        orders, dues, prios = {}, {}, {}
        for t in pure:
            dues[t.order_id], prios[t.order_id] = t.due, t.priority
        order_objs = Order.objects.bulk_create(
            Order(number=f"BS-{oid:07d}", customer=customer, sales_owner=user, created_by=user,
                  due_date=dues[oid], priority=prios[oid], status="confirmed")
            for oid in sorted(dues)
        )  # fmt: skip
        orders = {oid: o for oid, o in zip(sorted(dues), order_objs, strict=True)}
        sheet_ids = sorted({t.sheet_id for t in pure})
        order_of_sheet = {t.sheet_id: t.order_id for t in pure}
        lines_ = OrderLine.objects.bulk_create(
            OrderLine(order=orders[order_of_sheet[s]], line_no=s, material=material, quantity=1,
                      unit_price=0, amount=0, fulfilment="make")
            for s in sheet_ids
        )  # fmt: skip
        sheets = TaskSheet.objects.bulk_create(
            TaskSheet(number=f"BS-{s}", order=orders[order_of_sheet[s]], order_line=ln,
                      material=material, quantity=1)
            for s, ln in zip(sheet_ids, lines_, strict=True)
        )  # fmt: skip
        sheet_obj = dict(zip(sheet_ids, sheets, strict=True))
        Task.objects.bulk_create(
            (
                Task(sheet=sheet_obj[t.sheet_id], order=orders[t.order_id], sequence=t.sequence,
                     work_center=wcs[t.line_id], estimated_hours=round(t.minutes / 60, 3),
                     status="in_progress" if t.in_progress else "pending",
                     actual_start=now if t.in_progress else None, pinned_date=t.pinned_date)
                for t in pure
            ),
            batch_size=2000,
        )  # fmt: skip
    # measured in a fresh process, so loading the data above does not count towards its memory
    out = subprocess.run(
        [sys.executable, __file__, "--reschedule-only"],
        env={**os.environ}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    print(out.stdout.strip() or out.stderr[-2000:])
    return out.returncode == 0


def reschedule_only() -> bool:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
    import django

    django.setup()
    from zhongshu.production import services
    from zhongshu.production.models import Task

    began = time.perf_counter()
    stats = services.reschedule(actor=None)
    seconds = time.perf_counter() - began
    again = time.perf_counter()
    stats2 = services.reschedule(actor=None)
    second = time.perf_counter() - again
    # once more from scratch under tracemalloc (slower) for the peak of Python allocations
    Task.objects.update(planned_start=None, planned_finish=None)
    tracemalloc.start()
    services.reschedule(actor=None)
    _c, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"service through {django.db.connection.vendor}: {stats}")
    ok = seconds < TIME_TARGET and rss_mb < MEMORY_TARGET_MB
    print(f"  first run {seconds:.2f} s ({stats['changed']} tasks' dates written), second run "
          f"{second:.2f} s "
          f"({stats2['changed']} written), python peak {peak / 2**20:.1f} MB, process peak RSS "
          f"{rss_mb:.0f} MB → {'PASS' if ok else 'FAIL'} (targets < {TIME_TARGET} s, "
          f"< {MEMORY_TARGET_MB} MB)")  # fmt: skip
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--db", action="store_true", help="also run the service on PostgreSQL")
    parser.add_argument("--reschedule-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reschedule_only:
        sys.exit(0 if reschedule_only() else 1)
    ok = run_pure(args.tasks)
    if args.db:
        url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
        ok = run_db(args.tasks, url) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
