"""Order list filtered and sorted on custom fields at a million orders, through the real server.

    uv run python benchmarks/custom_fields.py            # 1,000,000 orders, 10 custom fields
    uv run python benchmarks/custom_fields.py --quick    # 100,000 orders (zhongshu_bench_quick)

Uses the order book of benchmarks/orders.py (same database, loaded with COPY when missing; see
that file for BENCH_DATABASE_URL / DATABASE_URL), defines 10 order custom fields through the
service (6 of them filterable, so each gets its expression index), fills every order's values
with one set-based UPDATE, starts ``zhongshu serve`` with two workers and times the order list
(web page and API) filtered on one custom field, sorted on one, and both, as an administrator
and as a sales user who sees one region. Target: p95 < 150 ms. For comparison each scenario is
also timed on a built-in indexed column (the baseline the custom field is held against).
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from _server import start_server, stop_server
from dashboard import _bearer_client, _session_client, measure
from orders import DEFAULT_URL, REGIONS, ensure_database, ensure_loaded, master_data, setup_django

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

TARGET_P95_MS = 150.0
FINISHES = ["anodized", "plated", "painted", "blackened", "none"]
FIELDS = [
    # key, type, filterable, extra
    ("drawing_no", "text", True, {}),
    ("finish", "choice", True, {"choices": FINISHES}),
    ("hardness", "decimal", True, {"decimal_places": 1}),
    ("inspect_by", "date", True, {}),
    ("batch_qty", "number", True, {}),
    ("export_ok", "bool", True, {}),
    ("customer_po", "text", False, {}),
    ("packing", "choice", False, {"choices": ["box", "pallet", "crate"]}),
    ("tolerance", "decimal", False, {"decimal_places": 3}),
    ("remark", "text", False, {}),
]
FILL_SQL = """
UPDATE orders_order SET custom = jsonb_build_object(
    'drawing_no', 'DWG-' || lpad((id % 50000)::text, 5, '0'),
    'finish', (ARRAY['anodized','plated','painted','blackened','none'])[1 + id % 5],
    'hardness', ((id * 7919) % 700 / 10.0)::numeric(6,1)::text,
    'inspect_by', to_char(DATE '2026-01-01' + (id % 365)::int, 'YYYY-MM-DD'),
    'batch_qty', (id * 31) % 10000,
    'export_ok', id % 7 = 0,
    'customer_po', 'PO' || id,
    'packing', (ARRAY['box','pallet','crate'])[1 + id % 3],
    'tolerance', '0.' || lpad((id % 1000)::text, 3, '0'),
    'remark', 'batch ' || (id % 97)
)
WHERE custom = '{}'::jsonb OR NOT custom ? 'remark'
"""


def ensure_fields() -> None:
    from django.db import connection

    from zhongshu.accounts.models import User
    from zhongshu.customfields import services
    from zhongshu.customfields.models import FieldDefinition

    admin = User.objects.get(username="bench_admin")
    for position, (key, ftype, filterable, extra) in enumerate(FIELDS):
        defn = FieldDefinition.objects.filter(entity="order", key=key).first()
        if defn is None:
            services.field_create(
                actor=admin, entity="order", key=key, label_zh=key, label_en=key, type=ftype,
                filterable=filterable, position=position, **extra,
            )  # fmt: skip
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(FILL_SQL)
        filled = cur.rowcount
    if filled:
        print(f"filled custom values of {filled:,} orders in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    for defn in FieldDefinition.objects.filter(entity="order", filterable=True):
        services.sync_index(field_id=defn.pk)  # CONCURRENTLY, outside a transaction
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE orders_order")
    print(f"expression indexes ready in {time.perf_counter() - t0:.1f} s")


SCENARIOS = [
    # name, custom-field query, built-in baseline query
    ("filter =", {"cf_finish": "plated"}, {"priority": "urgent"}),
    ("filter range", {"cf_hardness__gte": "69.5"}, {"due_from": "2027-06-01"}),
    ("sort", {"sort": "cf_hardness"}, {"sort": "due_date"}),
    ("sort desc", {"sort": "-cf_inspect_by"}, {"sort": "-due_date"}),
    ("filter + sort", {"cf_finish": "painted", "sort": "cf_batch_qty"},
     {"priority": "urgent", "sort": "due_date"}),
    ("text prefix =", {"cf_drawing_no": "DWG-01234"}, {"q": "SO-2026-00012"}),
]  # fmt: skip


def _path(base: str, params: dict) -> str:
    from urllib.parse import urlencode

    return f"{base}?{urlencode({**params, 'view': '0'} if base == '/orders/' else params)}"


def run(port: int, n: int) -> bool:
    base = f"http://127.0.0.1:{port}"
    proc = start_server(port, dict(os.environ), workers=2, log_name="bench-custom-fields.log")
    ok = True
    try:
        for who, name in (
            ("bench_admin", "admin"),
            ("bench_sales_0", f"sales {next(iter(REGIONS))}"),
        ):
            web, api = _session_client(base, who), _bearer_client(base, who)
            try:
                for label, custom, builtin in SCENARIOS:
                    for kind, client, path in (
                        ("page", web, "/orders/"),
                        ("api", api, "/api/v1/orders"),
                    ):
                        cf = measure(client, _path(path, custom), n)
                        bl = measure(client, _path(path, builtin), n)
                        passed = cf["p95"] < TARGET_P95_MS
                        ok &= passed
                        print(
                            f"{name:<10} {kind:<4} {label:<14} custom p50 {cf['p50']:6.1f} "
                            f"p95 {cf['p95']:6.1f} ms | built-in p95 {bl['p95']:6.1f} ms "
                            f"(×{cf['p95'] / bl['p95']:.2f})  {'PASS' if passed else 'FAIL'}",
                            flush=True,
                        )
            finally:
                web.close()
                api.close()
    finally:
        stop_server(proc)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 orders instead of 1,000,000")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per measurement")
    parser.add_argument("--port", type=int, default=8261)
    args = parser.parse_args()
    n_orders = 100_000 if args.quick else 1_000_000
    default = DEFAULT_URL + ("_quick" if args.quick else "")
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or default
    if not url.startswith("postgres"):
        raise SystemExit("the custom-field benchmark needs PostgreSQL (set DATABASE_URL)")
    os.environ["DATABASE_URL"] = url
    data_dir = os.environ.get("ZHONGSHU_DATA_DIR") or str(
        Path(tempfile.gettempdir()) / "zhongshu-bench"
    )
    ensure_database(url)
    setup_django(url, data_dir)
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    users, customers, materials = master_data(rng)
    ensure_loaded(n_orders, False, rng, users, customers, materials)
    ensure_fields()
    connections.close_all()
    print(f"\n{args.requests} requests per measurement after warm-up; "
          f"target p95 < {TARGET_P95_MS:.0f} ms; 10 custom fields per order")  # fmt: skip
    ok = run(args.port, args.requests)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("\nALL PASS" if ok else "\nSOME MEASUREMENTS MISS THE TARGET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
