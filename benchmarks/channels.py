"""Channel order pool throughput: 10,000 orders (30,000 lines) from the Taobao and Douyin
simulators through pull sync to internal orders, on a fresh SQLite file database.

    uv run python benchmarks/channels.py            # 10,000 orders (5,000 per platform)
    uv run python benchmarks/channels.py --orders 2000

Then the whole stream is replayed (cursors rewound) and must create nothing.
Target: < 30 s end to end for the first pass; zero duplicates. Prints figures and PASS/FAIL.
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time

TARGET_S = 30.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000)
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
    tb = TaobaoSimulator(app_key="bk", secret="bs", session="bss").start("127.0.0.1", port)
    dy = DouyinSimulator(app_key="dk", secret="ds", token="dt").start("127.0.0.1", port + 1)
    admin = services.channel_bot()
    from zhongshu.accounts.services import user_create

    admin = user_create(actor=None, username="bench-admin", password="x" * 20, roles=["admin"],
                        regions=[], check_password_strength=False)  # fmt: skip
    accounts = []
    for sim, kind, token in ((tb, "taobao", "bss"), (dy, "douyin", "dt")):
        acc, _ = services.account_create(actor=admin, kind=kind, name=kind, base_url=sim.url,
                                         app_key=sim.app_key, secret=sim.secret, token=token,
                                         default_region=region.name)  # fmt: skip
        accounts.append(acc)
    half = args.orders // 2
    end = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10)
    t0 = time.perf_counter()
    tb.generate(half, skus=skus, lines_per=3, end=end)
    dy.generate(args.orders - half, skus=skus, lines_per=3, end=end)
    t_gen = time.perf_counter() - t0

    t0 = time.perf_counter()
    runs = [sync_account(a.pk, trigger="bench") for a in accounts]
    t_sync = time.perf_counter() - t0
    n_orders = Order.objects.count()
    n_lines = OrderLine.objects.count()

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

    print(f"database: {connection.vendor} ({data})")
    print(f"generated {args.orders} orders in the simulators in {t_gen:.1f} s")
    for r in runs:
        print(f"  {r.account.name}: {r.pages} pages, {r.created} created, ok={r.ok} {r.error}")
    print(f"sync → internal orders: {n_orders} orders, {n_lines} lines in {t_sync:.1f} s "
          f"({n_orders / t_sync:.0f} orders/s)")  # fmt: skip
    print(f"replay of the whole stream: {t_replay:.1f} s, created {created_again}, "
          f"duplicate internal orders {dup_ext}, extra channel orders {dup_co}")  # fmt: skip
    ok = (
        t_sync < TARGET_S
        and n_orders == args.orders
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
