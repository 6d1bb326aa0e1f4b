"""Customer segmentation at 50,000 customers and 2,000,000 orders on PostgreSQL.

    uv run python benchmarks/segments.py            # loads the data once, then times 3 runs
    uv run python benchmarks/segments.py --reload   # throw the loaded data away and load again
    uv run python benchmarks/segments.py --customers 5000 --orders 200000   # a smaller book

Loads customers and orders into PostgreSQL with COPY (BENCH_SEGMENTS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/zhongshu_bench_segments; created if missing) with a mix of
order behaviours (steady high-value buyers, regular, growing, lapsing, new and long-gone
customers), then times ``zhongshu.analytics.segments.recompute`` — the one statement that
recomputes every tier, as the periodic job and ``zhongshu segments`` run it.
Target: < 30 s per recomputation.
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE] + [_HERE]

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import io  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from orders import _defaults, _ts, ensure_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zhongshu_bench_segments"
TARGET_SECONDS = 30.0
TZ = dt.timezone(dt.timedelta(hours=8))
PROFILES = ["key", "regular", "growing", "at_risk", "new", "lapsed"]
SHARES = [10, 45, 10, 15, 5, 5]
BASE_QUOTA = {"key": 68, "regular": 47, "growing": 47, "at_risk": 40, "new": 3, "lapsed": 18}
# (oldest order, newest order) as days ago, orders per order day, amount range (¥)
SHAPE = {
    "key": ((700, 730), (1, 20), 3, (10000, 16000)),
    "regular": ((600, 730), (1, 30), 1, (1000, 9000)),
    "growing": ((600, 730), (1, 15), 1, (1000, 15000)),
    "at_risk": ((600, 730), (90, 250), 1, (2000, 12000)),
    "new": ((20, 85), (0, 10), 1, (3000, 20000)),
    "lapsed": ((700, 730), (420, 500), 1, (1000, 8000)),
}


def master_data(n_customers: int):
    from django.contrib.auth import get_user_model

    from zhongshu.accounts.models import Region
    from zhongshu.accounts.services import user_create
    from zhongshu.customers.models import Customer

    User = get_user_model()
    region = Region.objects.get_or_create(name="华东")[0]
    owner = User.objects.filter(username="bench_seg_sales").first() or user_create(
        actor=None, username="bench_seg_sales", password="Bench-pass-2026", roles=["sales"],
        regions=["华东"], check_password_strength=False,
    )  # fmt: skip
    have = Customer.objects.filter(code__startswith="SC").count()
    if have < n_customers:
        Customer.objects.bulk_create(
            [
                Customer(code=f"SC{i:06d}", name=f"客户{i}有限公司", region=region)
                for i in range(have + 1, n_customers + 1)
            ],
            batch_size=5000,
        )
    ids = list(
        Customer.objects.filter(code__startswith="SC").order_by("code").values_list("id", flat=True)
    )[:n_customers]
    return owner, ids


def quotas(rng: random.Random, n_customers: int, n_orders: int):
    profiles = rng.choices(PROFILES, weights=SHARES, k=n_customers)
    q = [BASE_QUOTA[p] for p in profiles]
    diff = n_orders - sum(q)
    regular = [i for i, p in enumerate(profiles) if p in ("regular", "growing")]
    k = 0
    while diff:
        i = regular[k % len(regular)]
        step = 1 if diff > 0 else -1
        if q[i] + step >= 2:
            q[i] += step
            diff -= step
        k += 1
    return profiles, q


def order_days(rng: random.Random, profile: str, n: int, now: dt.datetime):
    (old_lo, old_hi), (new_lo, new_hi), per_day, (a_lo, a_hi) = SHAPE[profile]
    oldest, newest = rng.randint(old_lo, old_hi), rng.randint(new_lo, new_hi)
    days = max(1, math.ceil(n / per_day))
    span = oldest - newest
    left = n
    for i in range(days):
        pos = i / (days - 1) if days > 1 else 1.0
        if profile == "growing":
            pos = pos**0.5  # denser towards the present
        jitter = 0 if profile == "key" else rng.uniform(-0.4, 0.4) * span / days
        ago = max(0.0, oldest - span * pos + jitter)
        k = min(per_day, left)
        left -= k
        for j in range(k):
            amount = rng.randint(a_lo, a_hi)
            if profile == "growing":
                amount = int(a_lo + (a_hi - a_lo) * pos)
            at = (now - dt.timedelta(days=ago)).replace(hour=9 + j, minute=rng.randint(0, 59))
            yield at, amount


def load(rng, owner, customer_ids, n_orders: int) -> None:
    from django.db import connection, transaction

    from zhongshu.orders.models import Order

    started = time.monotonic()
    profiles, quota = quotas(rng, len(customer_ids), n_orders)
    now = dt.datetime.now(TZ).replace(second=0, microsecond=0)
    cols = [
        "id", "number", "customer_id", "sales_owner_id", "channel", "external_no", "priority",
        "due_date", "status", "currency", "discount_rate", "tax_rate", "payment_terms", "subtotal",
        "tax_amount", "total_amount", "note", "version", "created_by_id", "created_at", "updated_at",
    ]  # fmt: skip
    extra = _defaults(Order, set(cols))
    tail = "".join("\t" + v for v in extra.values())
    sql = f"COPY orders_order ({', '.join(cols + list(extra))}) FROM STDIN"
    oid = 0
    buf = io.StringIO()
    with transaction.atomic(), connection.cursor() as wrapper:
        cur = wrapper.cursor
        cur.execute("SET LOCAL synchronous_commit = off")
        for cid, profile, n in zip(customer_ids, profiles, quota, strict=True):
            for at, amount in order_days(rng, profile, n, now):
                oid += 1
                age = (now - at).days
                status = "cancelled" if rng.random() < 0.03 else "completed" if age > 60 else (
                    rng.choice(["confirmed", "in_production", "shipped", "pending_review"])
                )  # fmt: skip
                buf.write(
                    f"{oid}\tSG-{oid:09d}\t{cid}\t{owner.pk}\tdirect\t\tnormal\t"
                    f"{(at + dt.timedelta(days=20)).date()}\t{status}\tCNY\t0.00\t13.00\tnet30\t"
                    f"{amount}\t0\t{amount}\t\t1\t{owner.pk}\t{_ts(at)}\t{_ts(at)}{tail}\n"
                )
            if buf.tell() > 8_000_000:
                with cur.copy(sql) as copy:
                    copy.write(buf.getvalue())
                buf = io.StringIO()
                print(f"  {oid:>9,} orders loaded", flush=True)
        with cur.copy(sql) as copy:
            copy.write(buf.getvalue())
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('orders_order', 'id'), "
            "(SELECT COALESCE(MAX(id), 1) FROM orders_order))"
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE orders_order")
        cur.execute("ANALYZE customers_customer")
    print(f"loaded {oid:,} orders in {time.monotonic() - started:.0f} s")


def ensure_loaded(rng, owner, customer_ids, n_orders: int, reload: bool) -> None:
    from django.db import connection

    from zhongshu.orders.models import Order

    have = Order.objects.count()
    if have == n_orders and not reload:
        print(f"{have:,} orders already loaded (use --reload to load again)")
        return
    if have:
        print(f"removing {have:,} orders")
        with connection.cursor() as cur:
            cur.execute("TRUNCATE orders_orderevent, orders_orderline, orders_order CASCADE")
    print(f"loading {n_orders:,} orders for {len(customer_ids):,} customers")
    load(rng, owner, customer_ids, n_orders)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--orders", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("BENCH_SEGMENTS_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup_django(url, tempfile.mkdtemp(prefix="zs-bench-segments-"))
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhongshu.analytics import segments
    from zhongshu.analytics.models import CustomerSegment

    rng = random.Random(12)
    owner, customer_ids = master_data(args.customers)
    ensure_loaded(rng, owner, customer_ids, args.orders, args.reload)
    CustomerSegment.objects.all().delete()  # the first run inserts, the next ones update

    times = []
    for i in range(args.runs):
        t0 = time.monotonic()
        run = segments.recompute()
        times.append(time.monotonic() - t0)
        kind = "insert" if i == 0 else "update"
        print(
            f"run {i + 1} ({kind}): {times[-1]:.2f} s — {run.customers:,} customers, "
            f"{run.changed:,} tier changes"
        )
    counts = ", ".join(f"{t}={n:,}" for t, n in sorted(run.counts.items()))
    worst, median = max(times), statistics.median(times)
    print(f"tiers: {counts}")
    print(
        f"recompute {args.customers:,} customers / {args.orders:,} orders: median {median:.2f} s, "
        f"worst {worst:.2f} s; target < {TARGET_SECONDS:.0f} s → ratio {worst / TARGET_SECONDS:.2f} "
        f"({'OK' if worst < TARGET_SECONDS else 'TOO SLOW'})"
    )


if __name__ == "__main__":
    main()
