"""Channel order pool throughput: 10,000 orders (30,000 lines) from the Taobao and Douyin
simulators through pull sync to internal orders, on a fresh SQLite file database.

    uv run python benchmarks/channels.py            # 10,000 orders (5,000 per platform)
    uv run python benchmarks/channels.py --orders 2000

The simulators run in a process of their own, as a platform is a server elsewhere: their work
(rendering pages from the order book) is not counted in the sync's time, and they do not compete
with the sync for the interpreter lock (``--in-process`` runs them in threads of this process, as
the tests do). The machine's load average is printed with the figures: on a shared machine
absolute times vary several-fold.

Every material is stocked first (``--no-stock`` leaves the shelves empty: the shipped rule
"available stock < ordered quantity → block submission" then refuses every order, and the figures
say so), so the paid orders are really submitted for review. Then the whole stream is replayed
(cursors rewound) and must create nothing.
Target: < 30 s end to end for the first pass; zero duplicates. Prints figures and PASS/FAIL.
"""

import argparse
import datetime as dt
import multiprocessing
import os
import sys
import tempfile
import threading
import time

TARGET_S = 30.0


def _serve(cls, kwargs: dict, port: int, n: int, skus, end, conn) -> None:
    """A simulator in its own process: generate the order book, say how long it took, serve."""
    sim = cls(**kwargs).start("127.0.0.1", port)
    t0 = time.perf_counter()
    sim.generate(n, skus=skus, lines_per=3, end=end)
    conn.send(time.perf_counter() - t0)
    threading.Event().wait()


class Remote:
    """The parts of a simulator the benchmark uses, for one running in another process."""

    def __init__(self, cls, kwargs: dict, port: int):
        self.cls, self.kwargs, self.port = cls, kwargs, port
        self.url = f"http://127.0.0.1:{port}"
        self.app_key, self.secret = kwargs["app_key"], kwargs["secret"]
        self.proc = None

    def generate(self, n: int, *, skus, end) -> float:
        parent, child = multiprocessing.get_context("fork").Pipe()
        self.proc = multiprocessing.get_context("fork").Process(
            target=_serve, args=(self.cls, self.kwargs, self.port, n, skus, end, child),
            daemon=True,
        )  # fmt: skip
        self.proc.start()
        return parent.recv()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.join()


class Local(Remote):
    def generate(self, n: int, *, skus, end) -> float:
        self.sim = self.cls(**self.kwargs).start("127.0.0.1", self.port)
        t0 = time.perf_counter()
        self.sim.generate(n, skus=skus, lines_per=3, end=end)
        return time.perf_counter() - t0

    def stop(self) -> None:
        self.sim.stop()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--no-stock", action="store_true", help="leave the materials unstocked")
    parser.add_argument("--in-process", action="store_true", help="simulators in threads here")
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="zs-channels-bench-")
    os.environ["ZHONGSHU_DATA_DIR"] = data
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection
    from django.db.models import Count

    from zhongshu.accounts.models import Region
    from zhongshu.catalog.models import Material
    from zhongshu.channels import services
    from zhongshu.channels.models import ChannelAccount, ChannelOrder, SkuMapping
    from zhongshu.channels.simulators import DouyinSimulator, TaobaoSimulator
    from zhongshu.channels.sync import sync_account
    from zhongshu.inventory.services import default_warehouse, stock_adjust, warehouse_create
    from zhongshu.orders.models import Order, OrderLine

    region = Region.objects.create(name="华东")
    skus = []
    for i in range(50):
        m = Material.objects.create(code=f"BM-{i:03d}", name=f"物料{i}", unit="件",
                                    fulfilment="stock", standard_price=10)  # fmt: skip
        skus.append((f"{7000 + i}", f"OUT-{i}", f"商品{i}"))
        for kind in ("taobao", "douyin"):
            SkuMapping.objects.create(channel=kind, channel_sku=f"{7000 + i}", material=m)
    port = int(os.environ.get("BENCH_PORT", 8628))  # the Douyin simulator takes the next one
    Sim = Local if args.in_process else Remote
    tb = Sim(TaobaoSimulator, {"app_key": "bk", "secret": "bs", "session": "bss"}, port)
    dy = Sim(DouyinSimulator, {"app_key": "dk", "secret": "ds", "token": "dt"}, port + 1)
    admin = services.channel_bot()
    from zhongshu.accounts.services import user_create

    admin = user_create(actor=None, username="bench-admin", password="x" * 20, roles=["admin"],
                        regions=[], check_password_strength=False)  # fmt: skip
    if not args.no_stock:
        if default_warehouse() is None:
            warehouse_create(actor=None, code="WH1", name="成品库", is_default=True)
        for i in range(50):  # ≤ 5 per line, 3 lines per order: far more than all orders need
            stock_adjust(actor=admin, material=f"BM-{i:03d}", quantity=10 * args.orders + 1000,
                         reason="期初")  # fmt: skip
    accounts = []
    for sim, kind, token in ((tb, "taobao", "bss"), (dy, "douyin", "dt")):
        acc, _ = services.account_create(actor=admin, kind=kind, name=kind, base_url=sim.url,
                                         app_key=sim.app_key, secret=sim.secret, token=token,
                                         default_region=region.name)  # fmt: skip
        accounts.append(acc)
    half = args.orders // 2
    end = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10)
    t_gen = tb.generate(half, skus=skus, end=end) + dy.generate(args.orders - half, skus=skus,
                                                                 end=end)  # fmt: skip
    load_before = os.getloadavg()[0]

    t0 = time.perf_counter()
    runs = [sync_account(a.pk, trigger="bench") for a in accounts]
    t_sync = time.perf_counter() - t0
    n_orders = Order.objects.count()
    n_lines = OrderLine.objects.count()
    by_status = dict(Order.objects.values_list("status").annotate(n=Count("id")))
    by_state = dict(ChannelOrder.objects.values_list("state").annotate(n=Count("id")))
    # an ordered channel order with an error is a draft whose submission was refused
    blocked = ChannelOrder.objects.filter(state="ordered").exclude(error="").count()
    sample = ChannelOrder.objects.exclude(error="").values_list("error", flat=True).first()

    for a in accounts:  # replay everything
        ChannelAccount.objects.filter(pk=a.pk).update(synced_to=None)
    t0 = time.perf_counter()
    replays = [sync_account(a.pk, trigger="bench") for a in accounts]
    t_replay = time.perf_counter() - t0
    dup_ext = (Order.objects.values("channel", "external_no").annotate(n=Count("id"))
               .filter(n__gt=1).count())  # fmt: skip
    dup_co = ChannelOrder.objects.count() - args.orders
    created_again = sum(r.created for r in replays)
    tb.stop()
    dy.stop()

    print(f"database: {connection.vendor} ({data}); {os.cpu_count()} CPUs, load average "
          f"{load_before:.1f} before the sync, {os.getloadavg()[0]:.1f} after")  # fmt: skip
    where = "threads of this process" if args.in_process else "their own processes"
    print(f"generated {args.orders} orders in the simulators ({where}) in {t_gen:.1f} s")
    for r in runs:
        print(f"  {r.account.name}: {r.pages} pages, {r.created} created, ok={r.ok} {r.error}")
    print(f"sync → internal orders: {n_orders} orders, {n_lines} lines in {t_sync:.1f} s "
          f"({n_orders / t_sync:.0f} orders/s)")  # fmt: skip
    print(f"  submitted for review {by_status.get('pending_review', 0)}, left as drafts "
          f"{by_status.get('draft', 0)} (submission refused: {blocked}); channel orders by state "
          f"{by_state}")  # fmt: skip
    if sample:
        print(f"  e.g. {sample}")
    print(f"replay of the whole stream: {t_replay:.1f} s, created {created_again}, "
          f"duplicate internal orders {dup_ext}, extra channel orders {dup_co}")  # fmt: skip
    ok = (
        t_sync < TARGET_S
        and n_orders == args.orders
        and (args.no_stock or by_status.get("pending_review", 0) == args.orders)
        and dup_ext == 0
        and dup_co == 0
        and created_again == 0
        and all(r.ok for r in runs + replays)
    )
    projected = t_sync * 10_000 / max(args.orders, 1)
    print(f"ratio vs the {TARGET_S:.0f} s baseline: {t_sync / TARGET_S:.2f}x"
          f" (projected for 10,000 orders: {projected:.0f} s, {projected / TARGET_S:.1f}x)")  # fmt: skip
    print(f"target < {TARGET_S:.0f} s, zero duplicates: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    # benchmarks/rules.py would shadow the ``rules`` package: drop this folder from the path
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.exit(main())
