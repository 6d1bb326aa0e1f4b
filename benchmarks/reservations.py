"""Confirming orders under contention: 32 clients through the real server, against bare SQL.

    uv run python benchmarks/reservations.py                 # 3,000 orders per scenario
    uv run python benchmarks/reservations.py --orders 1000   # quicker

Two scenarios on PostgreSQL (BENCH_DATABASE_URL or DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/zhongshu_bench_inv; created and migrated if missing):

* hot    — every order wants 1 unit of the same material; stock covers two thirds of them;
* spread — orders of 1–3 lines over 1,000 materials, stock for most but not all of them;
* make   — make-to-order orders of 20 products with 3-level bills over 30 shared components, stock
  for about 70 % of the requirement (benchmarks/_make_to_order.py): confirming holds every
  component or refuses the order (all or nothing) and creates the task sheets; --make-orders of
  them (300).

For each, the pending orders are loaded with bulk inserts, ``zhongshu serve --workers 4`` is started
and 32 clients (threads, each with one kept-alive ``http.client`` connection) POST
``{"action": "confirm"}`` to ``/api/v1/orders/{id}/transitions``. Then the same
data is loaded again and 32 threads with their own psycopg connections do the bare minimum of the
same work in SQL: lock the order, conditional ``UPDATE … SET reserved = reserved + q WHERE
on_hand - reserved >= q`` per stock level in id order, write the reservation, the ledger row, the
status and the timeline row, the audit history rows of the order and of the levels, and after
commit the planner's activity counter — the writes the product makes (benchmarks/_bare_audit.py).
Like the product's connections, the bare ones keep their prepared statements through the
rollback of a refused confirmation (psycopg's own rollback drops them).
``psycopg-`` is the same without the history rows and the counter, as the bare side was before it
wrote them (kept for comparison with earlier figures). Then once more, the floor: the same bare
SQL behind gunicorn with the workers, threads and worker class of ``zhongshu serve``, called by the
same 32 HTTP clients (benchmarks/_bare_confirm.py) — what a confirmation costs through HTTP with
nothing but its SQL.
Reported: confirmations/s, p95 latency, refusals and the oversell count (confirmed quantity
beyond stock, or a level with reserved > on_hand — must be 0), the CPU per attempt of the server
(and the worker), of the clients and of PostgreSQL, and the ratios app / bare, app / bare- and app / floor.
Each server is warmed (64 confirmations not counted) before it is measured. The four paths run
in turn, ``--rounds`` times (3), each round starting one path later: this machine's speed drifts
by as much as a factor of two over minutes, so a figure is the median of its rounds and a ratio
the median of the rounds' own ratios (each round's are printed beside it).
"""

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import _make_to_order
from _bare_audit import count_bare
from _bare_confirm import Short, confirm_stock_bare, transaction
from _server import (
    postgres_cpu_seconds,
    start_floor,
    start_server,
    start_worker,
    stop_server,
    tree_cpu_seconds,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zhongshu_bench_inv"
CLIENTS = 32
PASSWORD = "Bench-pass-2026"


# --- database and data ------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["ZHONGSHU_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def ensure_users():
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from zhongshu.accounts.services import region_create, token_issue, user_create
    from zhongshu.customers.models import Customer

    User = get_user_model()
    if not User.objects.filter(username="bench_planner").exists():
        region = region_create(actor=None, name="华东")
        user_create(actor=None, username="bench_planner", password=PASSWORD, roles=["planner"],
                    check_password_strength=False)  # fmt: skip
        user_create(actor=None, username="bench_sales", password=PASSWORD, roles=["sales"],
                    regions=["华东"], check_password_strength=False)  # fmt: skip
        Customer.objects.create(code="C-BENCH", name="基准客户", region=region)
    token, _ = token_issue(
        request=RequestFactory().post("/api/v1/auth/token"),
        username="bench_planner",
        password=PASSWORD,
    )
    return token


def reset_and_load(scenario: str, n_orders: int, seed: int = 7) -> dict:
    """Throw away orders and stock, then bulk-insert the scenario's stock and pending orders."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from zhongshu.catalog.models import Material
    from zhongshu.customers.models import Customer
    from zhongshu.inventory.models import StockLevel, StockMovement, Warehouse
    from zhongshu.orders.models import Order, OrderLine

    rng = random.Random(seed)
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE inventory_shipmentline, inventory_shipment, inventory_reservation, "
            "inventory_stockmovement, inventory_stocklevel, inventory_tplussync, "
            "orders_orderevent, orders_orderline, orders_order, orders_ordernumbersequence, "
            "core_idempotencyrecord CASCADE"
        )
    User = get_user_model()
    sales = User.objects.get(username="bench_sales")
    customer = Customer.objects.get(code="C-BENCH")
    wh, _ = Warehouse.objects.get_or_create(
        code="01", defaults={"name": "成品库", "is_default": True}
    )
    if scenario == "make":
        data = _make_to_order.load(n_orders, customer=customer, sales=sales, warehouse=wh)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        return data
    n_materials = 1 if scenario == "hot" else 1000
    existing = set(Material.objects.filter(code__startswith="BM-").values_list("code", flat=True))
    Material.objects.bulk_create(
        [
            Material(code=f"BM-{i:04d}", name=f"基准件{i}", standard_price=Decimal(10))
            for i in range(n_materials)
            if f"BM-{i:04d}" not in existing
        ]
    )
    materials = list(Material.objects.filter(code__startswith="BM-").order_by("code")[:n_materials])
    # demand per material, to size the stock below it
    order_lines: list[list[tuple[int, int]]] = []
    demand: dict[int, int] = {}
    for _ in range(n_orders):
        if scenario == "hot":
            lines = [(0, 1)]
        else:
            picks = rng.sample(range(n_materials), rng.randint(1, 3))
            lines = [(m, rng.randint(1, 4)) for m in picks]
        order_lines.append(lines)
        for m, q in lines:
            demand[m] = demand.get(m, 0) + q
    if scenario == "hot":
        stock = {m: (d * 2) // 3 for m, d in demand.items()}
    else:  # most materials cover their demand, one in six only half of it
        stock = {m: d if rng.random() < 5 / 6 else d // 2 for m, d in demand.items()}
    now = timezone.now()
    with transaction.atomic():
        levels = StockLevel.objects.bulk_create(
            [
                StockLevel(material=materials[m], warehouse=wh, on_hand=q, reserved=0)
                for m, q in sorted(stock.items())
            ]
        )
        StockMovement.objects.bulk_create(
            [
                StockMovement(
                    level=lv,
                    material_id=lv.material_id,
                    warehouse=wh,
                    kind="receipt",
                    quantity=lv.on_hand,
                    on_hand_delta=lv.on_hand,
                    on_hand_before=0,
                    on_hand_after=lv.on_hand,
                    reserved_before=0,
                    reserved_after=0,
                    created_at=now,
                )
                for lv in levels
            ]
        )
        due = timezone.localdate() + dt.timedelta(days=30)
        orders = Order.objects.bulk_create(
            [
                Order(
                    number=f"SO-BENCH-{i:06d}",
                    customer=customer,
                    sales_owner=sales,
                    created_by=sales,
                    due_date=due,
                    status="pending_review",
                )
                for i in range(n_orders)
            ],
            batch_size=2000,
        )
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=o,
                    line_no=n,
                    material=materials[m],
                    quantity=q,
                    unit_price=Decimal(10),
                    amount=Decimal(10 * q),
                    fulfilment="stock",
                )
                for o, lines in zip(orders, order_lines, strict=True)
                for n, (m, q) in enumerate(lines, start=1)
            ],
            batch_size=5000,
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "order_ids": [o.id for o in orders],
        "stock": sum(stock.values()),
        "demand": sum(demand.values()),
        "warehouse_id": wh.id,
    }


def verify() -> dict:
    """Oversell: a level reserving more than it holds, or confirmed lines beyond the stock."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM inventory_stocklevel WHERE reserved > on_hand")
        bad_levels = cur.fetchone()[0]
        cur.execute(
            """
            SELECT coalesce(sum(greatest(c.confirmed - s.on_hand, 0)), 0)
            FROM (SELECT ol.material_id, sum(ol.quantity) AS confirmed
                  FROM orders_orderline ol JOIN orders_order o ON o.id = ol.order_id
                  WHERE o.status = 'confirmed' GROUP BY ol.material_id) c
            JOIN inventory_stocklevel s ON s.material_id = c.material_id
            """
        )
        beyond = cur.fetchone()[0]
        cur.execute(
            """
            SELECT count(*) FROM inventory_stocklevel s
            LEFT JOIN (SELECT level_id, sum(on_hand_delta) oh, sum(reserved_delta) rs
                       FROM inventory_stockmovement GROUP BY level_id) m ON m.level_id = s.id
            WHERE s.on_hand <> coalesce(m.oh, 0) OR s.reserved <> coalesce(m.rs, 0)
            """
        )
        ledger_mismatch = cur.fetchone()[0]
        cur.execute(
            """
            SELECT count(*) FROM inventory_stocklevel s
            LEFT JOIN (SELECT level_id, sum(quantity) q FROM inventory_reservation
                       WHERE status = 'active' GROUP BY level_id) r ON r.level_id = s.id
            WHERE s.reserved <> coalesce(r.q, 0)
            """
        )
        reservation_mismatch = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM orders_order WHERE status = 'confirmed'")
        confirmed = cur.fetchone()[0]
    return {
        "oversell": int(bad_levels) + int(beyond),
        "ledger_mismatch": ledger_mismatch + reservation_mismatch,
        "confirmed_in_db": confirmed,
    }


# --- the two ways of confirming ------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] if len(values) >= 2 else values[0]


def run_clients(order_ids: list[int], work) -> dict:
    """Run ``work(order_id) -> 'ok' | 'short' | 'error'`` from 32 threads; time each call."""
    latencies: list[float] = []
    outcomes = {"ok": 0, "short": 0, "error": 0}
    lock = threading.Lock()

    def one(order_id):
        started = time.perf_counter()
        result = work(order_id)
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            outcomes[result] += 1

    wall = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(one, order_ids))
    wall = time.perf_counter() - wall
    return {
        **outcomes,
        "per_s": outcomes["ok"] / wall,
        "attempts_per_s": len(order_ids) / wall,
        "p95_ms": p95(latencies) * 1000,
        "wall_s": wall,
    }


def via_server(port: int, token: str, order_ids: list[int], *, floor: bool = False) -> dict:
    """32 clients confirming through HTTP: the product (``floor=False``) or the bare SQL behind
    the same server (``floor=True``, benchmarks/_bare_confirm.py).

    Each client keeps one HTTP/1.1 connection (``http.client``): the clients run on the same two
    cores as the server and PostgreSQL, and httpx spent 1.5–1.7 ms of CPU per request there, as
    much as the floor's whole server — CPU taken from the servers being measured, which on a real
    site sit on other machines than their clients."""
    import http.client
    import json

    local = threading.local()
    errors: list[str] = []
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps({"action": "confirm"})

    def post(path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                conn.request("POST", path, body=body, headers=headers)
                r = conn.getresponse()
                return r.status, r.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # the server closed a kept-alive connection before reading the request: the
                # request was not handled, so it is sent again on a new connection
                conn.close()
                local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def work(order_id: int) -> str:
        if floor:
            status, content = post(f"/orders/{order_id}/confirm")
        else:
            status, content = post(f"/api/v1/orders/{order_id}/transitions")
        if status == 200:
            return "ok"
        if status == 409 and json.loads(content).get("code") == "insufficient_stock":
            return "short"
        if len(errors) < 5:
            errors.append(f"{status} {content[:200]!r}")
        return "error"

    result = run_clients(order_ids, work)
    for e in errors:
        print("   error:", e)
    return result


def settle(pid: int, *, seconds: float = 20) -> None:
    """Wait until a process tree has stopped using CPU (a worker that just booted)."""
    deadline = time.monotonic() + seconds
    last = tree_cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = tree_cpu_seconds(pid)
        if now - last < 0.05:
            return
        last = now


def _cpu_since(clients: float, database: float, n: int) -> dict:
    """CPU per attempt since the readings: this process (the 32 clients) and PostgreSQL."""
    return {
        "client_ms": (time.process_time() - clients) * 1000 / n,
        "db_ms": (postgres_cpu_seconds() - database) * 1000 / n,
    }


def via_psycopg(
    url: str,
    warehouse_id: int,
    planner_id: int,
    order_ids: list[int],
    *,
    make: bool = False,
    audit: bool = True,
) -> dict:
    """32 threads confirming in bare SQL, each on its own connection. ``audit=False``: without
    the history rows and the activity counter (the bare side before they were added)."""
    import psycopg

    local = threading.local()
    confirm = _make_to_order.confirm_bare if make else confirm_stock_bare

    def work(order_id: int) -> str:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = psycopg.connect(url)
        try:
            with transaction(conn), conn.cursor() as cur:
                confirm(cur, order_id, warehouse_id, planner_id, Short, audit=audit)
        except Short:
            return "short"
        if audit:
            count_bare(conn, planner_id)
        return "ok"

    return run_clients(order_ids, work)


def measure(
    path: str, data: dict, *, url, token, planner_id, port, server, worker, make: bool
) -> dict:
    """One path over the loaded orders: its figures, its CPU per attempt (the server's, with the
    worker's for the app; this process's clients; PostgreSQL's) and the oversell check."""
    n = len(data["order_ids"])
    cpu = tree_cpu_seconds(server.pid) if server else 0.0
    in_worker = tree_cpu_seconds(worker.pid)
    clients, database = time.process_time(), postgres_cpu_seconds()
    if path in ("app", "floor"):
        got = via_server(port + (path == "floor"), token, data["order_ids"], floor=path == "floor")
    else:
        got = via_psycopg(url, data["warehouse_id"], planner_id, data["order_ids"], make=make,
                          audit=path == "psycopg")  # fmt: skip
    cpu = tree_cpu_seconds(server.pid) - cpu if server else 0.0
    in_worker = tree_cpu_seconds(worker.pid) - in_worker if path == "app" else 0.0
    got.update(cpu_ms=(cpu + in_worker) * 1000 / n, worker_ms=in_worker * 1000 / n,
               **_cpu_since(clients, database, n))  # fmt: skip
    got.update(verify(), load=os.getloadavg()[0])
    if path == "app":
        settle(worker.pid)  # the reflows it queued, before the next path
    return got


# --- the server ---------------------------------------------------------------------------------------


# --- main -------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=3000, help="orders per scenario (3000)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8310)))
    parser.add_argument("--make-orders", type=int, default=300, help="make-to-order orders (300)")
    parser.add_argument(
        "--scenario", choices=["hot", "spread", "make", "all", "both"], default="all",
        help="both: hot and spread; all: with make",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=4, help="server processes (4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per process (4)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of every path in turn; medians shown (3)"
    )
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    data_dir = tempfile.mkdtemp(prefix="zhongshu-bench-inv-")
    ensure_database(url)
    setup_django(url, data_dir)
    token = ensure_users()
    from django.contrib.auth import get_user_model
    from django.db import connections

    planner_id = get_user_model().objects.get(username="bench_planner").id
    env = {**os.environ, "DATABASE_URL": url, "ZHONGSHU_DATA_DIR": data_dir, "DEBUG": "0"}
    env.pop("TPLUS_BASE_URL", None)
    proc = start_server(args.port, env, workers=args.workers, threads=args.threads,
                        log_name="bench-reservations-server.log")  # fmt: skip
    worker = start_worker(env, log_name="bench-reservations-worker.log")
    rows = []
    try:
        chosen = {"both": ["hot", "spread"], "all": ["hot", "spread", "make"]}
        for scenario in chosen.get(args.scenario, [args.scenario]):
            n = args.make_orders if scenario == "make" else args.orders
            data = reset_and_load(scenario, n)
            connections.close_all()
            print(f"{scenario}: {n} orders, demand {data['demand']}, stock {data['stock']}")
            floor_env = {**env, "BENCH_DATABASE_URL": url, "BENCH_MAKE": str(int(scenario == "make")),
                         "BENCH_WAREHOUSE_ID": str(data["warehouse_id"]),
                         "BENCH_PLANNER_ID": str(planner_id)}  # fmt: skip
            floor_proc = start_floor(args.port + 1, floor_env, workers=args.workers,
                                     threads=args.threads,
                                     log_name=f"bench-floor-{scenario}.log")  # fmt: skip
            try:
                # not measured: every server process through the path once, the worker booted
                for port, floor in ((args.port, False), (args.port + 1, True)):
                    warm = reset_and_load(scenario, 64)
                    connections.close_all()
                    via_server(port, token, warm["order_ids"], floor=floor)
                settle(worker.pid)
                runs = {path: [] for path in PATHS}
                for r in range(args.rounds):
                    # the machine's speed drifts over minutes: each round runs every path once,
                    # in an order turned by one each round, and the figures are the rounds' medians
                    for path in PATHS[r % len(PATHS) :] + PATHS[: r % len(PATHS)]:
                        data = reset_and_load(scenario, n)
                        connections.close_all()
                        server = {"app": proc, "floor": floor_proc}.get(path)
                        got = measure(path, data, url=url, token=token, planner_id=planner_id,
                                      port=args.port, server=server, worker=worker,
                                      make=scenario == "make")  # fmt: skip
                        runs[path].append(got)
            finally:
                stop_server(floor_proc)
            rows.append((scenario, runs))
    finally:
        stop_server(proc), stop_server(worker)

    print()
    print(
        f"{CLIENTS} clients, PostgreSQL, `zhongshu serve --workers {args.workers} --threads "
        f"{args.threads}` (the floor alike); medians of {args.rounds} rounds, the paths in turn"
    )
    header = (
        f"{'scenario':8} {'path':8} {'confirmed':>9} {'refused':>8} {'errors':>6} "
        f"{'conf/s':>8} {'tries/s':>8} {'p95 ms':>8} {'oversell':>8} {'ledger':>6} {'load':>5}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for scenario, runs in rows:
        med = {path: _medians(got) for path, got in runs.items()}
        for path, r in med.items():
            print(
                f"{scenario:8} {path:8} {r['ok']:>9.0f} {r['short']:>8.0f} {r['error']:>6} "
                f"{r['per_s']:>8.0f} {r['attempts_per_s']:>8.0f} {r['p95_ms']:>8.1f} "
                f"{r['oversell']:>8} {r['ledger_mismatch']:>6} {r['load']:>5.2f}"
            )
            ok = ok and r["oversell"] == 0 and r["ledger_mismatch"] == 0 and r["error"] == 0
        for path, r in med.items():
            total = r["cpu_ms"] + r["client_ms"] + r["db_ms"]
            print(
                f"{scenario:8} {path:8} CPU ms per attempt: {r['cpu_ms']:5.1f} server"
                + (f" (worker {r['worker_ms']:.1f})" if path == "app" else "")
                + f", {r['client_ms']:4.1f} clients, "
                f"{r['db_ms']:4.1f} PostgreSQL = {total:5.1f}"
            )
        for label, base in (("bare", "psycopg"), ("bare-", "psycopg-"), ("floor", "floor")):
            pairs = list(zip(runs["app"], runs[base], strict=True))
            speed = [a["attempts_per_s"] / b["attempts_per_s"] for a, b in pairs]
            slow = [a["p95_ms"] / b["p95_ms"] for a, b in pairs]
            print(
                f"{scenario:8} {'ratio':8} {'':>9} {'':>8} {'':>6} "
                f"{statistics.median(speed):>8.2f}x{'':>9} {statistics.median(slow):>7.1f}x   "
                f"(app / {label}, throughput and p95; rounds "
                + " ".join(f"{x:.2f}" for x in speed)
                + ")"
            )
    if not ok:
        raise SystemExit("FAILED: oversell, ledger mismatch or errors")


PATHS = ["app", "psycopg", "psycopg-", "floor"]


def _medians(runs: list[dict]) -> dict:
    """The median of each figure over the rounds; the faults (errors, oversell, ledger) summed:
    one in any round is a failure."""
    faults = ("error", "oversell", "ledger_mismatch")
    return {
        key: sum(r[key] for r in runs) if key in faults else statistics.median(r[key] for r in runs)
        for key in runs[0]
    }


if __name__ == "__main__":
    main()
