"""Rules engine cost at a million orders: 20 scheduled rules scanned set-based in PostgreSQL, and
the Python event check of the same 20 rules per order.

    uv run python benchmarks/rules.py             # uses the orders of benchmarks/orders.py
    uv run python benchmarks/rules.py --quick     # 100,000 orders (database zhongshu_bench_quick)

The orders are the ones ``benchmarks/orders.py`` loads into PostgreSQL (BENCH_DATABASE_URL or
DATABASE_URL, default postgres://postgres@127.0.0.1:5432/zhongshu_bench); when they are missing
it is run with ``--load-only`` first. The schema is migrated; a default warehouse with stock for
the stock materials is added once (so shortage conditions have something to compare with).

Measured:

* full scan — for each of 20 scheduled rules, the one query ``scan_rule`` runs to find the
  matching open orders (ids fetched); run 3 times, the median total is reported. Target: < 2 s
  for all 20 together. Actions are not run (they cost per new hit, not per scanned order).
* event check — the 20 compiled predicates evaluated on one order's facts, per order, over 2,000
  open orders. Target: < 1 ms per order for all 20 rules. Loading the facts of one order (a
  handful of indexed queries, done once per event whatever the number of rules) is reported too.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

# This file is named like the django-rules package ("import rules"): keep its folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zhongshu_bench"
SCAN_TARGET_S = 2.0
EVENT_TARGET_MS = 1.0

RULES = [
    ("due soon, not started", {"all": [
        {"field": "days_to_due", "op": "lte", "value": 3},
        {"field": "production_started", "op": "eq", "value": False},
        {"field": "status", "op": "in", "value": ["pending_review", "confirmed", "scheduling"]}]}),
    ("overdue", {"field": "days_to_due", "op": "lt", "value": 0}),
    ("urgent waiting review", {"all": [
        {"field": "priority", "op": "in", "value": ["urgent", "critical"]},
        {"field": "status", "op": "eq", "value": "pending_review"}]}),
    ("big orders", {"field": "amount", "op": "gte", "value": "50000"}),
    ("key customer due in a week", {"all": [
        {"field": "customer_tier", "op": "eq", "value": "key"},
        {"field": "days_to_due", "op": "lte", "value": 7}]}),
    ("taobao drafts", {"all": [
        {"field": "channel", "op": "eq", "value": "taobao"},
        {"field": "status", "op": "eq", "value": "draft"}]}),
    ("short of stock, confirmed", {"all": [
        {"field": "status", "op": "in", "value": ["confirmed", "scheduling"]},
        {"field": "stock_shortage", "op": "eq", "value": True}]}),
    ("shortage over 50", {"all": [
        {"field": "status", "op": "eq", "value": "pending_review"},
        {"field": "shortage_qty", "op": "gt", "value": 50}]}),
    ("east critical", {"all": [
        {"field": "customer_region", "op": "eq", "value": "华东"},
        {"field": "priority", "op": "eq", "value": "critical"}]}),
    ("tagged vip", {"field": "tags", "op": "contains", "value": "vip"}),
    ("external TB", {"field": "external_no", "op": "contains", "value": "TB"}),
    ("not direct, due in 5", {"all": [
        {"not": {"field": "channel", "op": "eq", "value": "direct"}},
        {"field": "days_to_due", "op": "lte", "value": 5}]}),
    ("any of urgent or big", {"any": [
        {"field": "priority", "op": "eq", "value": "critical"},
        {"field": "amount", "op": "gt", "value": "80000"}]}),
    ("awaiting QC long", {"all": [
        {"field": "status", "op": "eq", "value": "awaiting_qc"},
        {"field": "days_to_due", "op": "lte", "value": 2}]}),
    ("in production overdue", {"all": [
        {"field": "production_started", "op": "eq", "value": True},
        {"field": "days_to_due", "op": "lt", "value": 0}]}),
    ("customer name contains", {"field": "customer_name", "op": "contains", "value": "精工"}),
    ("new customers, big", {"all": [
        {"field": "customer_tier", "op": "in", "value": ["new", "at_risk"]},
        {"field": "amount", "op": "gt", "value": "20000"}]}),
    ("drafts due soon", {"all": [
        {"field": "status", "op": "eq", "value": "draft"},
        {"field": "days_to_due", "op": "lte", "value": 2}]}),
    ("douyin or agent urgent", {"all": [
        {"field": "channel", "op": "in", "value": ["douyin", "agent"]},
        {"field": "priority", "op": "ne", "value": "normal"}]}),
    ("no tags, small", {"all": [
        {"field": "tags", "op": "is_null", "value": True},
        {"field": "amount", "op": "lt", "value": "500"}]}),
]  # fmt: skip


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault(
        "ZHONGSHU_DATA_DIR",
        os.environ.get("ZHONGSHU_DATA_DIR") or str(Path(tempfile.gettempdir()) / "zhongshu-bench"),
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_orders(args) -> None:
    from zhongshu.orders.models import Order

    if Order.objects.count() < (100_000 if args.quick else 1_000_000):
        print("orders missing: running benchmarks/orders.py --load-only")
        cmd = [sys.executable, str(Path(__file__).with_name("orders.py")), "--load-only"]
        subprocess.run(cmd + (["--quick"] if args.quick else []), check=True)


def ensure_stock() -> None:
    from zhongshu.catalog.models import Material
    from zhongshu.inventory.models import StockLevel, Warehouse

    wh = Warehouse.objects.filter(is_default=True).first()
    if wh is None:
        wh = Warehouse.objects.create(code="BENCH", name="bench", is_default=True)
    have = set(StockLevel.objects.filter(warehouse=wh).values_list("material_id", flat=True))
    rng = random.Random(7)
    new = [
        StockLevel(material_id=m, warehouse=wh, on_hand=Decimal(rng.randint(0, 200)))
        for m in Material.objects.filter(fulfilment="stock").values_list("id", flat=True)
        if m not in have
    ]
    StockLevel.objects.bulk_create(new)
    if new:
        print(f"stock levels added: {len(new)}")


def ensure_rules():
    from zhongshu.rules import services
    from zhongshu.rules.models import Rule
    from zhongshu.rules.services import clean_rule

    Rule.objects.filter(name__startswith="bench: ").delete()
    rules = []
    for name, condition in RULES:
        data = clean_rule({
            "name": f"bench: {name}", "triggers": ["schedule"], "interval_minutes": 15,
            "condition": condition, "actions": [{"type": "tag", "tag": "bench"}],
        })  # fmt: skip
        rules.append(Rule.objects.create(**data))
    services._forget_compiled()
    return rules


def measure_scan(rules) -> tuple[float, list]:
    from django.db import connection

    from zhongshu.orders.models import Order
    from zhongshu.orders.statuses import OPEN
    from zhongshu.rules import compiler

    open_orders = Order.objects.filter(status__in=OPEN)
    totals, per_rule = [], []
    for rnd in range(3):
        total = 0.0
        for rule in rules:
            t0 = time.perf_counter()
            ids = list(
                compiler.filter_orders(open_orders, rule.condition)
                .order_by()
                .values_list("pk", flat=True)
            )
            dt_ = time.perf_counter() - t0
            total += dt_
            if rnd == 2:
                per_rule.append((rule.name, dt_, len(ids)))
        totals.append(total)
    connection.close()
    return statistics.median(totals), per_rule


def measure_event(rules) -> tuple[float, float]:
    from zhongshu.orders.models import Order
    from zhongshu.orders.statuses import OPEN
    from zhongshu.rules import compiler
    from zhongshu.rules.facts import order_facts

    ids = list(
        Order.objects.filter(status__in=OPEN).order_by("-id").values_list("pk", flat=True)[:2000]
    )
    need = set().union(*(compiler.fields_used(r.condition) for r in rules))
    facts = list(order_facts(ids, need=need).values())
    predicates = [compiler.to_predicate(r.condition) for r in rules]
    t0 = time.perf_counter()
    for f in facts:
        for p in predicates:
            p(f)
    per_order_ms = (time.perf_counter() - t0) * 1000 / len(facts)
    sample = ids[:200]
    t0 = time.perf_counter()
    for oid in sample:
        order_facts([oid], need=need)
    load_ms = (time.perf_counter() - t0) * 1000 / len(sample)
    return per_order_ms, load_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the 100,000-order database")
    args = parser.parse_args()
    default = DEFAULT_URL + ("_quick" if args.quick else "")
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or default
    if not url.startswith("postgres"):
        raise SystemExit("the rules benchmark needs PostgreSQL")
    setup(url)
    ensure_orders(args)
    ensure_stock()
    from django.db import connection

    with connection.cursor() as cur:
        # fresh statistics and visibility maps after the bulk load (index-only scans)
        for table in (
            "orders_order",
            "orders_orderline",
            "customers_customer",
            "inventory_stocklevel",
            "inventory_reservation",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")
    from zhongshu.orders.models import Order
    from zhongshu.orders.statuses import OPEN

    n = Order.objects.count()
    n_open = Order.objects.filter(status__in=OPEN).count()
    rules = ensure_rules()
    print(f"{n:,} orders, {n_open:,} open; {len(rules)} scheduled rules")
    scan_s, per_rule = measure_scan(rules)
    print("\nfull scan, one set-based query per rule (3rd run):")
    for name, secs, matched in per_rule:
        print(f"  {secs * 1000:8.1f} ms  {matched:>7,} matches  {name}")
    ok_scan = scan_s < SCAN_TARGET_S
    print(f"all 20 rules (median of 3): {scan_s:.3f} s  target < {SCAN_TARGET_S:.0f} s  "
          f"{'PASS' if ok_scan else 'FAIL'}")  # fmt: skip
    event_ms, load_ms = measure_event(rules)
    ok_event = event_ms < EVENT_TARGET_MS
    print(f"\nevent check, 20 predicates per order: {event_ms:.4f} ms  target < "
          f"{EVENT_TARGET_MS:.0f} ms  {'PASS' if ok_event else 'FAIL'}")  # fmt: skip
    print(f"loading one order's facts for an event (once per event): {load_ms:.2f} ms")
    from zhongshu.rules.models import Rule

    Rule.objects.filter(name__startswith="bench: ").delete()
    print("\nALL PASS" if ok_scan and ok_event else "\nSOME TARGETS MISSED")
    sys.exit(0 if ok_scan and ok_event else 1)


if __name__ == "__main__":
    main()
