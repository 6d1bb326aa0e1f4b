"""Demand forecast at scale: 3,000 finished products with three years of order history.

    uv run python benchmarks/forecast.py             # load once (kept), then time the runs
    uv run python benchmarks/forecast.py --reload    # throw the loaded data away and load again

PostgreSQL: BENCH_DATABASE_URL or DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/zhongshu_bench_forecast (created if missing); history is
loaded with COPY. Target: a monthly and a weekly forecast run over every product (history query,
back-test of every candidate method, chosen forecast written) < 10 s each. Each run prints its
CPU seconds and the load average (the machine may be shared), and the back-test alone side by
side with the plain definition (refitting every method at every origin) on the same series.

Shape: a third of the products have seasonal demand (yearly cycle, trend, noise), a third steady
demand with noise, a third intermittent demand (an order in about one month of four); each
month's demand arrives as 1–3 order lines on random days, four lines to an order.
"""

import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here] + [_here]

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import io  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

from mrp import _defaults, ensure_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zhongshu_bench_forecast"
TARGET_S = 10.0
N_PRODUCTS, MONTHS = 3000, 36


def monthly_demand(rng: random.Random, kind: int) -> list[int]:
    if kind == 0:  # seasonal
        base, amp = rng.uniform(50, 300), rng.uniform(0.2, 0.5)
        phase = rng.randrange(12)
        return [max(0, round(base * (1 + amp * math.sin(2 * math.pi * (t + phase) / 12))
                             * (1 + 0.01 * t) + rng.gauss(0, base * 0.08))) for t in range(MONTHS)]  # fmt: skip
    if kind == 1:  # steady
        base = rng.uniform(20, 200)
        return [max(0, round(rng.gauss(base, base * 0.2))) for _ in range(MONTHS)]
    return [rng.choice((5, 10, 20, 50)) if rng.random() < 0.25 else 0 for _ in range(MONTHS)]


def load(rng: random.Random, today: dt.date) -> None:
    from django.db import connection, transaction

    from zhongshu.accounts.models import Region
    from zhongshu.accounts.services import user_create
    from zhongshu.catalog.models import Material
    from zhongshu.customers.models import Customer
    from zhongshu.orders.models import Order, OrderLine

    started = time.monotonic()
    with transaction.atomic():
        admin = user_create(actor=None, username="bench_fc_admin", password="Bench-pass-2026",
                            roles=["admin"], regions=[], check_password_strength=False)  # fmt: skip
        region = Region.objects.create(name="华东")
        customer = Customer.objects.create(code="C-FC", name="基准客户", region=region)
        products = Material.objects.bulk_create(
            Material(code=f"FG-{i:05d}", name=f"产品{i}", kind="finished")
            for i in range(N_PRODUCTS)
        )
        first = today.replace(day=1)
        months = []
        for k in range(MONTHS, 0, -1):
            m = first.year * 12 + first.month - 1 - k
            months.append(dt.date(m // 12, m % 12 + 1, 1))
        lines = []  # (material, due, quantity)
        for i, p in enumerate(products):
            for start, qty in zip(months, monthly_demand(rng, i % 3), strict=True):
                if qty <= 0:
                    continue
                parts = rng.randint(1, 3) if qty >= 3 else 1
                cuts = sorted(rng.sample(range(1, qty), parts - 1)) if parts > 1 else []
                for a, b in zip([0, *cuts], [*cuts, qty], strict=True):
                    lines.append((p.pk, start + dt.timedelta(days=rng.randrange(28)), b - a))
        rng.shuffle(lines)
        order_cols = ["id", "number", "customer_id", "sales_owner_id", "due_date", "status",
                      "created_by_id", "created_at", "updated_at"]  # fmt: skip
        line_cols = ["id", "order_id", "line_no", "material_id", "quantity", "unit_price",
                     "amount", "fulfilment", "shipped_quantity"]  # fmt: skip
        o_extra, l_extra = _defaults(Order, set(order_cols)), _defaults(OrderLine, set(line_cols))
        o_tail = "".join("\t" + v for v in o_extra.values())
        l_tail = "".join("\t" + v for v in l_extra.values())
        now = dt.datetime.now(dt.UTC).isoformat()
        obuf, lbuf = io.StringIO(), io.StringIO()
        for n, (mid, due, qty) in enumerate(lines):
            oid, no = n // 4 + 1, n % 4 + 1
            if no == 1:
                obuf.write(f"{oid}\tFC-{oid:07d}\t{customer.pk}\t{admin.pk}\t{due}\tcompleted\t"
                           f"{admin.pk}\t{now}\t{now}{o_tail}\n")  # fmt: skip
            lbuf.write(f"{n + 1}\t{oid}\t{no}\t{mid}\t{qty}\t10\t{qty * 10}\tstock\t{qty}"
                       f"{l_tail}\n")  # fmt: skip
        with connection.cursor() as wrapper:
            cur = wrapper.cursor
            for table, cols, buf in (
                ("orders_order", order_cols + list(o_extra), obuf),
                ("orders_orderline", line_cols + list(l_extra), lbuf),
            ):
                with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    copy.write(buf.getvalue())
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT MAX(id) FROM {table}))")  # fmt: skip
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"loaded {N_PRODUCTS:,} products, {len(lines):,} order lines over {MONTHS} months "
          f"in {time.monotonic() - started:.0f} s")  # fmt: skip


def report(run, elapsed: float) -> None:
    from django.db.models import Avg, Count, F, Q

    from zhongshu.planning.models import ProductForecast

    s = run.stats
    agg = ProductForecast.objects.filter(run=run, wape__isnull=False, naive_wape__isnull=False)
    figures = agg.aggregate(
        chosen=Avg("wape"), naive=Avg("naive_wape"), n=Count("id"),
        better=Count("id", filter=Q(wape__lt=F("naive_wape"))),
    )  # fmt: skip
    print(f"{run.bucket:>5}: {elapsed:.2f} s (back-test and forecast {s['compute_seconds']:.2f} s) "
          f"for {s['products']:,} products, {1000 * elapsed / max(1, s['products']):.2f} ms per "
          f"product; methods {s['methods']}")  # fmt: skip
    print(f"       back-test WAPE, mean over {figures['n']:,} products: chosen "
          f"{figures['chosen']:.3f} vs seasonal naive {figures['naive']:.3f}; chosen beats naive "
          f"for {figures['better']:,}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reload", action="store_true", help="drop and load the data again")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        raise SystemExit("the forecast benchmark needs PostgreSQL (set DATABASE_URL)")
    if args.reload:
        import psycopg

        parts = urlsplit(url)
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault(
        "ZHONGSHU_DATA_DIR", str(Path(tempfile.gettempdir()) / "zhongshu-bench-forecast")
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from zhongshu.planning import services

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    user = get_user_model().objects.filter(username="bench_fc_admin").first()
    if user is None:
        load(random.Random(2026), today)
        user = get_user_model().objects.get(username="bench_fc_admin")
    timings = {}
    for bucket in ("month", "week"):
        load_before = os.getloadavg()[0]
        started, cpu = time.perf_counter(), time.process_time()
        run = services.forecast_run(actor=user, bucket=bucket, today=today)
        timings[bucket] = time.perf_counter() - started
        print(f"{bucket:>5}: CPU {time.process_time() - cpu:.2f} s of this process, load average "
              f"{load_before:.2f} → {os.getloadavg()[0]:.2f}")  # fmt: skip
        report(run, timings[bucket])
        side_by_side(bucket, today)
    ok = all(t < TARGET_S for t in timings.values())
    for bucket, t in timings.items():
        print(f"{bucket}ly forecast run: {t:.2f} s; target < {TARGET_S:.0f} s; "
              f"ratio = {t / TARGET_S:.2f}")  # fmt: skip
    print("PASS" if ok else "MISS")
    sys.exit(0 if ok else 1)


def side_by_side(bucket: str, today: dt.date) -> None:
    """The back-test of the same series two ways, CPU seconds: one pass per method and parameter
    (what the run does) against the plain definition, refitting every method at every origin."""
    from zhongshu.planning import forecast, forecasting

    _first, series = forecast.histories(bucket, today)
    plan = forecast.PLANS[bucket]
    jobs = [(y, forecasting.candidates(y, plan)[0]) for y in series.values()]
    cpu = time.process_time()
    one_pass = [forecasting.backtest_all(y, names, plan) for y, names in jobs]
    ours = time.process_time() - cpu
    cpu = time.process_time()
    refit = [{n: forecasting.backtest(y, forecasting.METHODS[n], plan) for n in names}
             for y, names in jobs]  # fmt: skip
    base = time.process_time() - cpu
    assert one_pass == refit, "the one-pass back-test must give the refit figures"
    print(f"       back-test alone, CPU: one pass {ours:.2f} s vs refit at every origin "
          f"{base:.2f} s (ratio {base / max(ours, 1e-9):.1f}×), same scores for "
          f"{len(jobs):,} products")  # fmt: skip


if __name__ == "__main__":
    main()
