"""Demo channels: a Taobao shop and a Douyin shop pointing at local simulators that generate a
stream of paid orders (one SKU left unmapped, so the exception queue has something to show), an
agent account, SKU mappings, and a pull every 30 s in the background of ``zhongshu demo``."""

import threading

from django.db import close_old_connections

from .models import ChannelAccount, ChannelKind

SEED_ORDER = 95
SHOPS = {
    "taobao": ("淘宝旗舰店(演示)", "tb-demo-key", "tb-demo-secret", "tb-session"),
    "douyin": ("抖店(演示)", "dy-demo-key", "dy-demo-secret", "dy-token"),
}
SKUS = [("7001", "FL-DN50"), ("7002", "FL-DN80"), ("7003", "ZT-30"), ("7004", "ZT-45")]
UNMAPPED = ("7999", "FL-GIFT", "赠品法兰（未映射）")
_sims: dict = {}


def seed(ctx) -> None:
    from . import services

    admin = ctx.users["admin"]
    region = next(iter(ctx.regions)) if ctx.regions else "华东"
    for kind, (name, key, secret, token) in SHOPS.items():
        sim = _sims.get(kind)
        services.account_create(
            actor=admin, kind=kind, name=name, app_key=key, secret=secret, token=token,
            base_url=sim.url if sim else "http://127.0.0.1:9", default_region=region,
        )  # fmt: skip
    services.account_create(actor=admin, kind=ChannelKind.AGENT, name="城东代理商(演示)",
                            default_region=region)  # fmt: skip
    codes = {m.code for m in ctx.materials}
    n = 0
    for channel in ("taobao", "douyin", "agent"):
        for sku, code in SKUS:
            if code in codes:
                services.mapping_save(actor=admin, data={"channel": channel, "channel_sku": sku,
                                                         "material": code, "multiplier": 1})  # fmt: skip
                n += 1
    ctx.counts["channel mappings"] = n
    ctx.say(f"  3 channel accounts, {n} SKU mappings")


def start_simulators(host: str):
    """Taobao and Douyin simulators with 40 paid orders each; the demo shops point at them."""
    from .simulators import DouyinSimulator, TaobaoSimulator

    bind = host if host not in ("0.0.0.0", "::") else "127.0.0.1"
    skus = [(s, f"OUT-{code}", code) for s, code in SKUS]
    for kind in ("taobao", "douyin"):
        _name, key, secret, token = SHOPS[kind]
        shop = (
            TaobaoSimulator(app_key=key, secret=secret, session=token)
            if kind == "taobao"
            else DouyinSimulator(app_key=key, secret=secret, token=token)
        )
        sim = shop.start(bind, 0)
        sim.generate(40, skus=skus, lines_per=2)
        sim.add_order(lines=[(*UNMAPPED[:2], UNMAPPED[2], 1, "0.01")])
        _sims[kind] = sim
    try:
        for kind, sim in _sims.items():
            ChannelAccount.objects.filter(name=SHOPS[kind][0]).update(base_url=sim.url)
    except Exception:  # no tables yet: the seed configures them
        pass

    def stop():
        for sim in _sims.values():
            sim.stop()

    return "channel simulators", ", ".join(f"{k} {s.url}" for k, s in _sims.items()), stop


def start_sync(host: str):
    """The pull job in a background thread, so the demo syncs without a worker."""
    from .logistics import deliver_job
    from .sync import sync_due

    stopping = threading.Event()

    def loop():
        while not stopping.wait(30):
            close_old_connections()
            try:
                sync_due()
                deliver_job()
            except Exception:  # the demo keeps going; the worker logs the same failures
                pass
            finally:
                close_old_connections()

    threading.Thread(target=loop, name="channels-sync", daemon=True).start()
    return "channel sync", "every 30 s", stopping.set


SERVICES = [start_simulators, start_sync]
