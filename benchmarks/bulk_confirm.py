"""Confirming 500 orders at once (the order list's bulk action) against 500 single confirms.

    uv run python benchmarks/bulk_confirm.py                 # SQLite in a temporary directory
    uv run python benchmarks/bulk_confirm.py --orders 200
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhongshu_bench_bulk \\
        uv run python benchmarks/bulk_confirm.py             # PostgreSQL (database must exist)

Each round loads ``--orders`` orders of one unit of a fresh stock material, pending review, with
stock for four fifths of them (the rest must be refused as short of stock). The bulk round sends
them through ``orders_bulk_action(action="confirm")`` — one call, one transaction, each order
judged on its own; the single round calls ``order_transition`` once per order, each in its own
transaction, as 500 clicks on the order page would. Printed side by side: seconds, milliseconds
per order, confirmed/refused counts and the oversell check (ledger = levels, reserved ≤ on hand).
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

# benchmarks/rules.py would shadow the ``rules`` package the permission module uses
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

PASSWORD = "Bench-pass-2026"


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["ZHONGSHU_DATA_DIR"] = tempfile.mkdtemp(prefix="zs-bulk-confirm-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def world():
    from django.contrib.auth import get_user_model

    from zhongshu.accounts.models import Region
    from zhongshu.accounts.services import user_create
    from zhongshu.customers.models import Customer
    from zhongshu.inventory.models import Warehouse

    users = get_user_model().objects
    if not users.filter(username="bulk_planner").exists():
        Region.objects.get_or_create(name="华东")
        user_create(actor=None, username="bulk_planner", password=PASSWORD, roles=["planner"],
                    check_password_strength=False)  # fmt: skip
        user_create(actor=None, username="bulk_sales", password=PASSWORD, roles=["sales"],
                    regions=["华东"], check_password_strength=False)  # fmt: skip
        user_create(actor=None, username="bulk_wh", password=PASSWORD, roles=["warehouse"],
                    check_password_strength=False)  # fmt: skip
    region = Region.objects.get(name="华东")
    customer, _ = Customer.objects.get_or_create(
        code="C-BULK-BENCH", defaults={"name": "批量基准客户", "region": region}
    )
    Warehouse.objects.get_or_create(code="01", defaults={"name": "成品库", "is_default": True})
    return {
        "planner": users.get(username="bulk_planner"),
        "sales": users.get(username="bulk_sales"),
        "warehouse": users.get(username="bulk_wh"),
        "customer": customer,
    }


def load(w: dict, n: int, tag: str) -> tuple[list[int], object]:
    """``n`` orders pending review of one unit each of a new material with stock for 4n/5."""
    from django.db import transaction
    from django.utils import timezone

    from zhongshu.catalog.models import Material
    from zhongshu.inventory.services import stock_receive
    from zhongshu.orders.bulk import NewLine, NewOrder, orders_create_many, orders_transition_many

    code = f"BB-{tag.upper()}-{time.time_ns() % 10**9}"
    material = Material.objects.create(code=code, name=f"基准螺栓 {tag}", fulfilment="stock",
                                       standard_price=Decimal("10"))  # fmt: skip
    stock_receive(actor=w["warehouse"], material=code, quantity=n * 4 // 5, warehouse="01")
    due = timezone.localdate() + dt.timedelta(days=20)
    specs = [
        NewOrder(customer_id=w["customer"].pk, due_date=due,
                 lines=[NewLine(material_id=material.pk, quantity=Decimal(1),
                                unit_price=Decimal(10))])
        for _ in range(n)
    ]  # fmt: skip
    with transaction.atomic():
        orders = orders_create_many(actor=w["sales"], orders=specs)
        orders_transition_many(actor=w["sales"], orders=orders, action="submit", system=True)
    return [o.pk for o in orders], material


def oversold(material) -> int:
    """Levels where reserved exceeds on hand or differs from its ledger (must be 0)."""
    from django.db.models import Sum

    from zhongshu.inventory.models import StockLevel, StockMovement

    bad = 0
    for level in StockLevel.objects.filter(material=material):
        sums = StockMovement.objects.filter(level=level).aggregate(
            on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")
        )
        if level.reserved > level.on_hand or (level.on_hand, level.reserved) != (
            sums["on_hand"],
            sums["reserved"],
        ):
            bad += 1
    return bad


def bulk_round(w: dict, n: int) -> dict:
    from zhongshu.orders.bulk import orders_bulk_action

    ids, material = load(w, n, "bulk")
    start = time.perf_counter()
    results = orders_bulk_action(actor=w["planner"], action="confirm", order_ids=ids)
    seconds = time.perf_counter() - start
    done = sum(r.done for r in results)
    return {"seconds": seconds, "done": done, "refused": n - done, "oversold": oversold(material)}


def single_round(w: dict, n: int) -> dict:
    from django.db import transaction

    from zhongshu.core.errors import DomainError
    from zhongshu.orders.services import order_transition

    ids, material = load(w, n, "single")
    done = 0
    start = time.perf_counter()
    for oid in ids:
        try:
            with transaction.atomic():
                order_transition(actor=w["planner"], order_id=oid, action="confirm")
            done += 1
        except DomainError:
            pass
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "done": done, "refused": n - done, "oversold": oversold(material)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    w = world()
    n = args.orders
    single = single_round(w, n)
    bulk = bulk_round(w, n)
    print(f"database: {connection.vendor}; {n} orders of 1 unit, stock for {n * 4 // 5}")
    print(f"{'':<8}{'seconds':>10}{'ms/order':>10}{'confirmed':>11}{'refused':>9}{'oversold':>10}")
    for name, r in (("single", single), ("bulk", bulk)):
        print(f"{name:<8}{r['seconds']:>10.2f}{1000 * r['seconds'] / n:>10.1f}"
              f"{r['done']:>11}{r['refused']:>9}{r['oversold']:>10}")  # fmt: skip
    print(f"ratio single/bulk: {single['seconds'] / bulk['seconds']:.2f}x")
    ok = bulk["done"] == single["done"] == n * 4 // 5 and not (
        bulk["oversold"] or single["oversold"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
