"""Posting to T+ and syncing from it, against the T+ simulator over real HTTP, side by side with a
bare HTTP loop doing the same calls.

    uv run python benchmarks/tplus.py                       # 1,000 documents, 5,000 materials
    uv run python benchmarks/tplus.py --docs 200 --materials 1000

SQLite in a temporary data directory. Scenarios:

* posting — 1,000 orders of two stock lines shipped through ``shipment_create`` (each shipment
  queues one two-line 销货单 in the outbox in its transaction), then ``posting.drain()`` posts them;
  baseline: one httpx client POSTing the same 1,000 saleDelivery documents to a fresh simulator in
  a loop. Reported: time, documents/s,
  and duplicates (ExternalCodes accepted twice by the simulator; must be 0).
* sync — a full ``tplus_sync`` of 5,000 materials (pages of 100) into levels with unposted moves;
  baseline: the bare paging of currentStock/Query with the same client settings, no database.
"""

import argparse
import os
import sys
import tempfile
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE] + [_HERE]


def setup(data_dir: str, url: str) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["ZHONGSHU_DATA_DIR"] = data_dir
    os.environ["TPLUS_BASE_URL"] = url
    os.environ.update(TPLUS_APP_KEY="k", TPLUS_APP_SECRET="s", TPLUS_OPEN_TOKEN="t")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def load(n_materials: int, sim) -> list:
    from zhongshu.catalog.models import Material
    from zhongshu.inventory import ledger
    from zhongshu.inventory.ledger import Change
    from zhongshu.inventory.models import ErpPosting, MovementKind, StockLevel, Warehouse

    wh = Warehouse.objects.create(code="01", name="成品库", is_default=True)
    Material.objects.bulk_create(
        [Material(code=f"B-{i:05d}", name=f"件 {i}") for i in range(n_materials)]
    )
    materials = list(Material.objects.order_by("id"))
    StockLevel.objects.bulk_create([StockLevel(material=m, warehouse=wh) for m in materials])
    levels = list(StockLevel.objects.order_by("id"))
    plan = ledger.lock_levels(lv.id for lv in levels)
    for lv in levels:
        plan.add(Change(lv.id, MovementKind.RECEIPT, on_hand=100, reason="opening"))
    ledger.write(plan, actor=None)
    ErpPosting.objects.update(status="posted")
    for m in materials:
        sim.set_stock("01", m.code, 100, m.name)
    sim.add_customer("C-1", "基准客户")
    return levels


def queue_issues(levels, n_docs: int) -> float:
    """Adjustments out (其他出库) written through the ledger, left unposted."""
    from django.db import transaction

    from zhongshu.inventory import ledger
    from zhongshu.inventory.ledger import Change
    from zhongshu.inventory.models import MovementKind

    started = time.perf_counter()
    for i in range(n_docs):
        with transaction.atomic():
            lv = levels[i % len(levels)]
            plan = ledger.lock_levels([lv.id])
            plan.add(Change(lv.id, MovementKind.ADJUST, on_hand=-1, reason=f"ADJ-{i}"))
            ledger.write(plan, actor=None)
    return time.perf_counter() - started


def ship_orders(levels, n_shipments: int) -> float:
    """``n_shipments`` confirmed orders of two stock lines each, shipped through
    ``shipment_create``: each shipment queues one 销货单 of two lines in its transaction."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from zhongshu.accounts.services import region_create, user_create
    from zhongshu.customers.models import Customer
    from zhongshu.inventory.services import shipment_create
    from zhongshu.orders.models import Order, OrderLine

    region = region_create(actor=None, name="华东")
    keeper = user_create(actor=None, username="bench_keeper", password="x" * 12,
                         roles=["warehouse"], check_password_strength=False)  # fmt: skip
    customer = Customer.objects.create(code="C-1", name="基准客户", region=region)
    due = timezone.localdate() + dt.timedelta(days=30)
    orders = Order.objects.bulk_create(
        [Order(number=f"SO-T-{i:06d}", customer=customer, created_by=keeper, sales_owner=keeper,
               due_date=due, status="confirmed") for i in range(n_shipments)]
    )  # fmt: skip
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=o, line_no=n, material_id=levels[(2 * i + n) % len(levels)].material_id,
                      quantity=Decimal(1), unit_price=Decimal(10), amount=Decimal(10),
                      fulfilment="stock")
            for i, o in enumerate(orders) for n in (1, 2)
        ]
    )  # fmt: skip
    started = time.perf_counter()
    for o in orders:
        shipment_create(actor=keeper, order_id=o.pk)
    return time.perf_counter() - started


def bare_post(url: str, docs: list[dict]) -> float:
    import httpx

    headers = {"appKey": "k", "appSecret": "s", "openToken": "t"}
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=10) as client:
        for dto in docs:
            client.post("/tplus/api/v2/saleDelivery/Create", json={"dto": dto}, headers=headers)
    return time.perf_counter() - started


def bare_sync(url: str) -> float:
    import httpx

    headers = {"appKey": "k", "appSecret": "s", "openToken": "t"}
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=30) as client:
        page, seen, total = 1, 0, None
        while total is None or seen < total:
            body = client.post("/tplus/api/v2/currentStock/Query",
                               json={"param": {"PageSize": 100, "PageIndex": page}},
                               headers=headers).json()  # fmt: skip
            seen += len(body["Data"])
            total = body["TotalCount"]
            page += 1
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--materials", type=int, default=5000)
    args = parser.parse_args()
    from zhongshu.inventory.tplus_simulator import TplusSimulator

    sim = TplusSimulator(app_key="k", app_secret="s", open_token="t")
    url = sim.start()
    with tempfile.TemporaryDirectory() as data_dir:
        setup(data_dir, url)
        from zhongshu.inventory import posting, tplus
        from zhongshu.inventory.models import ErpPosting

        levels = load(args.materials, sim)
        queued = ship_orders(levels, args.docs)
        rows: dict[str, list] = {}
        for p in ErpPosting.objects.filter(status="pending").order_by("id"):
            rows.setdefault(p.external_code, []).append(p)
        docs = [posting.to_document(group) for group in rows.values()]
        started = time.perf_counter()
        result = posting.drain(limit=args.docs + 10)
        posted_s = time.perf_counter() - started
        dupes = len(sim.accepted) - len(set(sim.accepted))
        pending = ErpPosting.objects.filter(status="pending").count()
        applied = sum(len(sim.documents[c]["dto"]["SaleDeliveryDetails"]) for c in sim.accepted)

        base = TplusSimulator(app_key="k", app_secret="s", open_token="t")
        base_url = base.start()
        base.add_customer("C-1")
        for lv in levels:
            base.set_stock("01", lv.material.code, 100)
        dtos = [{"ExternalCode": d.external_code, "VoucherDate": d.date,
                 "Warehouse": {"Code": d.warehouse}, "Customer": {"Code": "C-1"},
                 "SaleDeliveryDetails": [{"Inventory": {"Code": line.material},
                                          "Quantity": str(line.quantity)} for line in d.lines]}
                for d in docs]  # fmt: skip
        base_s = bare_post(base_url, dtos)

        # sync: 100 of the levels get an unposted move first, so the sync has work to weigh
        queue_issues(levels, 100)
        started = time.perf_counter()
        run = tplus.tplus_sync()
        sync_s = time.perf_counter() - started
        bare_s = bare_sync(url)
        base.stop()
    sim.stop()
    print(f"shipping {args.docs} orders (2 lines each) with their outbox rows: {queued:.2f}s")
    print(f"{'':28}{'Zhongshu':>12}{'bare HTTP':>12}{'ratio':>8}")
    print(f"{'post ' + str(args.docs) + ' documents (s)':28}{posted_s:>12.2f}{base_s:>12.2f}"
          f"{posted_s / base_s:>8.2f}")  # fmt: skip
    print(f"{'documents/s':28}{result.posted / posted_s:>12.0f}{len(dtos) / base_s:>12.0f}")
    print(f"duplicates accepted by T+: {dupes}; left pending: {pending}; "
          f"posted {result.posted} documents ({applied} lines), failed {result.failed}")  # fmt: skip
    print(f"{'full sync of ' + str(args.materials) + ' (s)':28}{sync_s:>12.2f}{bare_s:>12.2f}"
          f"{sync_s / bare_s:>8.2f}")  # fmt: skip
    print(f"sync: ok={run.ok} rows={run.rows} differences booked={run.changed}")


if __name__ == "__main__":
    main()
