"""Order import benchmark: 100,000 order lines (12 columns) validated and committed.

    ZHONGSHU_DATA_DIR=/tmp/zs-bench uv run python benchmarks/import_orders.py            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zs_imports_bench \
        uv run python benchmarks/import_orders.py                                       # PostgreSQL

Compares, on the same file and the same models:
  ours   — upload (parse + normalise + validate + stage) and commit (valid_only)
  floor  — calamine read + bulk_create of orders and lines, no validation, no history/events
  die    — django-import-export: an OrderResource then an OrderLineResource (on BENCH_DIE_ROWS
           rows, default 10,000, extrapolated linearly to the full size: it is too slow for 100k)
Targets: ours ≥ 10× faster than die, within 3× of the floor, peak RSS < 500 MB.
"""

import datetime as dt
import io
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

ROWS = int(os.environ.get("BENCH_ROWS", 100_000))
DIE_ROWS = int(os.environ.get("BENCH_DIE_ROWS", 10_000))
LINES_PER_ORDER = 3

# benchmarks/ holds scripts named like packages (rules.py …): never import from it
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
os.environ.setdefault("ZHONGSHU_DATA_DIR", "/tmp/zs-imports-bench")
os.environ["IMPORT_BACKGROUND_BYTES"] = str(10**10)  # run everything in this process
os.environ["IMPORT_BACKGROUND_ROWS"] = str(10**9)
os.environ["IMPORT_COMMIT_CHUNK"] = "1000"


def _ensure_pg_db():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workbook(headers, rows) -> bytes:
    """An .xlsx of one sheet: ``headers``, then ``rows`` (any iterable), written streaming.
    Also the builder of benchmarks/history_import.py."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True})
    sh = book.add_worksheet()
    sh.write_row(0, 0, headers)
    for i, row in enumerate(rows, 1):
        sh.write_row(i, 0, row)
    book.close()
    return out.getvalue()


def main():
    _ensure_pg_db()
    if not os.environ.get("DATABASE_URL"):
        db = Path(os.environ["ZHONGSHU_DATA_DIR"]) / "zhongshu.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from python_calamine import load_workbook

    from zhongshu.accounts.models import Region
    from zhongshu.accounts.services import user_create  # noqa: F401
    from zhongshu.catalog.models import Material
    from zhongshu.customers.models import Customer
    from zhongshu.imports.services import batch_commit, batch_upload
    from zhongshu.orders.models import Order, OrderLine, OrderNumberSequence, money

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

    due = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    headers = ["外部单号", "客户编码", "客户名称", "物料编码", "物料名称", "规格", "数量", "单价",
               "金额", "交期", "优先级", "备注"]  # fmt: skip

    def make_file(n: int, prefix: str) -> bytes:
        def rows():
            for i in range(n):
                c = customers[(i // LINES_PER_ORDER) % len(customers)]
                m = materials[i % len(materials)]
                q = i % 9 + 1
                yield [f"{prefix}-{i // LINES_PER_ORDER}", c.code, c.name, m.code, m.name,
                       "DN50", q, 12.5, q * 12.5, due, "普通", ""]  # fmt: skip

        return workbook(headers, rows())

    content = make_file(ROWS, "PO")
    print(f"file: {ROWS} rows × 12 columns, {len(content) / 1e6:.1f} MB, db={connection.vendor}")

    # --- ours ---
    t0 = time.perf_counter()
    batch = batch_upload(actor=user, content=content, name="bench.xlsx", kind="orders")
    t1 = time.perf_counter()
    batch = batch_commit(actor=user, batch_id=batch.pk, mode="valid_only")
    t2 = time.perf_counter()
    assert batch.status == "committed" and batch.committed == ROWS, (batch.status, batch.message)
    ours = t2 - t0
    ours_rss = rss_mb()
    print(f"ours : validate {t1 - t0:6.1f}s  commit {t2 - t1:6.1f}s  total {ours:6.1f}s  "
          f"({ROWS / ours:,.0f} rows/s) orders={Order.objects.count()}  peak RSS {ours_rss:.0f} MB")  # fmt: skip

    # --- floor: read + bulk_create, no validation ---
    content_f = make_file(ROWS, "FL")
    cmap = {c.code: c for c in customers}
    mmap = {m.code: m for m in materials}
    t0 = time.perf_counter()
    grid = load_workbook(io.BytesIO(content_f)).get_sheet_by_index(0).to_python()
    with transaction.atomic():
        orders, lines = {}, []
        seq = OrderNumberSequence.objects.get(year=dt.date.today().year)
        for r in grid[1:]:
            o = orders.get(r[0])
            if o is None:
                seq.last_value += 1
                o = orders[r[0]] = Order(
                    number=f"SO-{seq.year}-{seq.last_value:06d}", customer=cmap[r[1]],
                    sales_owner=user, created_by=user, due_date=dt.date.fromisoformat(r[9]),
                    channel="import", external_no=r[0])  # fmt: skip
                o._lines = []
            q, p = Decimal(str(r[6])), Decimal(str(r[7]))
            line = OrderLine(order=o, line_no=len(o._lines) + 1, material=mmap[r[3]], quantity=q,
                             unit_price=p, amount=money(q * p), fulfilment="stock")  # fmt: skip
            o._lines.append(line)
            lines.append(line)
        Order.objects.bulk_create(orders.values(), batch_size=2000)
        for line in lines:
            line.order_id = line.order.pk
        OrderLine.objects.bulk_create(lines, batch_size=2000)
        seq.save()
    floor = time.perf_counter() - t0
    print(f"floor: total {floor:6.1f}s  ({ROWS / floor:,.0f} rows/s)")
    del grid, orders, lines

    if not DIE_ROWS:  # BENCH_DIE_ROWS=0: ours and the floor only
        print(f"ratios: ours/floor = {ours / floor:.1f}× (target ≤ 3×), peak RSS {ours_rss:.0f} MB")
        return

    # --- django-import-export ---
    from import_export import fields, resources, widgets
    from tablib import Dataset

    class OrderResource(resources.ModelResource):
        number = fields.Field(attribute="number", column_name="number")
        customer = fields.Field(attribute="customer", column_name="客户编码",
                                widget=widgets.ForeignKeyWidget(Customer, "code"))  # fmt: skip
        external_no = fields.Field(attribute="external_no", column_name="外部单号")
        due_date = fields.Field(
            attribute="due_date", column_name="交期", widget=widgets.DateWidget("%Y-%m-%d")
        )
        sales_owner = fields.Field(attribute="sales_owner_id", column_name="owner")
        created_by = fields.Field(attribute="created_by_id", column_name="owner")

        class Meta:
            model = Order
            import_id_fields = ("number",)
            fields = ("number", "customer", "external_no", "due_date", "sales_owner", "created_by")

    class LineResource(resources.ModelResource):
        order = fields.Field(attribute="order", column_name="number",
                             widget=widgets.ForeignKeyWidget(Order, "number"))  # fmt: skip
        line_no = fields.Field(attribute="line_no", column_name="line_no")
        material = fields.Field(attribute="material", column_name="物料编码",
                                widget=widgets.ForeignKeyWidget(Material, "code"))  # fmt: skip
        quantity = fields.Field(
            attribute="quantity", column_name="数量", widget=widgets.DecimalWidget()
        )
        unit_price = fields.Field(
            attribute="unit_price", column_name="单价", widget=widgets.DecimalWidget()
        )
        amount = fields.Field(
            attribute="amount", column_name="金额", widget=widgets.DecimalWidget()
        )
        fulfilment = fields.Field(attribute="fulfilment", column_name="fulfilment")

        class Meta:
            model = OrderLine
            import_id_fields = ("order", "line_no")
            fields = (
                "order",
                "line_no",
                "material",
                "quantity",
                "unit_price",
                "amount",
                "fulfilment",
            )

    content_d = make_file(DIE_ROWS, "DIE")
    t0 = time.perf_counter()
    grid = load_workbook(io.BytesIO(content_d)).get_sheet_by_index(0).to_python()
    odata = Dataset(headers=["number", "客户编码", "外部单号", "交期", "owner"])
    ldata = Dataset(headers=["number", "line_no", "物料编码", "数量", "单价", "金额", "fulfilment"])
    seen = {}
    for r in grid[1:]:
        if r[0] not in seen:
            seen[r[0]] = [f"DIE-{len(seen):07d}", 0]
            odata.append([seen[r[0]][0], r[1], r[0], r[9], user.pk])
        seen[r[0]][1] += 1
        ldata.append([seen[r[0]][0], seen[r[0]][1], r[3], r[6], r[7], r[8], "stock"])
    res = OrderResource().import_data(odata, dry_run=False, raise_errors=True)
    res2 = LineResource().import_data(ldata, dry_run=False, raise_errors=True)
    die = (time.perf_counter() - t0) * ROWS / DIE_ROWS
    assert not res.has_errors() and not res2.has_errors()
    print(
        f"die  : {DIE_ROWS} rows in {die * DIE_ROWS / ROWS:6.1f}s → {die:6.1f}s extrapolated to {ROWS}"
    )
    print(f"ratios: die/ours = {die / ours:.1f}× (target ≥ 10×), ours/floor = {ours / floor:.1f}× "
          f"(target ≤ 3×), peak RSS {rss_mb():.0f} MB (ours alone {ours_rss:.0f} MB; target < 500)")  # fmt: skip


if __name__ == "__main__":
    main()
