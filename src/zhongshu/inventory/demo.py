"""Demo stock: two warehouses, generous stock of every stock material, and a T+ simulator."""

import datetime as dt
import os
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings

from zhongshu.core.demo import DemoContext

from .models import StockLevel
from .services import level_for, warehouse_create

if TYPE_CHECKING:
    from zhongshu.catalog.models import Material
    from zhongshu.orders.models import Order

    from .tplus_simulator import TplusSimulator

SEED_ORDER = 20

SIM_CREDENTIALS = {
    "TPLUS_APP_KEY": "demo-key",
    "TPLUS_APP_SECRET": "demo-secret",
    "TPLUS_OPEN_TOKEN": "demo-token",
}
_simulator: "TplusSimulator | None" = None


def _materials(ctx: DemoContext) -> list["Material"]:
    raw = ctx.get("materials") if hasattr(ctx, "get") else None
    if isinstance(raw, dict):
        raw = list(raw.values())
    found = [m for m in raw or [] if hasattr(m, "fulfilment") and hasattr(m, "pk")]
    if found:
        return found
    from zhongshu.catalog.models import Material

    return list(Material.objects.filter(is_active=True))


def _demo_quantity(material: "Material") -> Decimal:
    safety = Decimal(str(getattr(material, "safety_stock", None) or 0))
    return max(Decimal(500), safety * 4).quantize(Decimal(1))


def date_shipments(ctx: DemoContext, order: "Order", dated: dict[str, dt.datetime]) -> None:
    """A shipment is dated when its order shipped."""
    from .models import Shipment

    if "ship" in dated:
        Shipment.objects.filter(order=order).update(shipped_at=dated["ship"])


def write_shipments(ctx: DemoContext, written: list[Any]) -> None:
    """The closed history's shipments, set-based: one per shipped order, on the day it shipped,
    every line in full (history: no stock moves)."""
    from .history import shipments_record_history

    shipments_record_history(
        actor=ctx.users["admin"],
        shipped={w.order_id: (w.number, w.dated["ship"]) for w in written if "ship" in w.dated},
    )


def receive_components(ctx: DemoContext, order: "Order") -> None:
    """Before the demo confirms a make-to-order order: the parts bought when it was entered have
    arrived (the simulation's "with Zhongshu" arm buys a missing part at entry), booked as a
    purchase receipt into the default warehouse on the day of the confirmation, so the
    confirmation can hold every component as a real one must."""
    from .models import StockMovement
    from .services import components, stock_receive

    short = components.shortages([order.pk]).get(order.pk) or []
    for row in short:
        level = stock_receive(
            actor=ctx.users["warehouse"], material=row["material"], quantity=row["short"],
            reason="按单采购到货", document="purchase_receipt",
        )  # fmt: skip
        moment = ctx.get("moment")
        if moment is not None:
            latest = StockMovement.objects.filter(level=level).order_by("-id").values("id")[:1]
            StockMovement.objects.filter(pk__in=latest).update(created_at=moment)


def seed(ctx: DemoContext) -> None:
    from zhongshu.core.demo import on_backdate, on_history

    on_backdate(ctx, date_shipments)
    on_history(ctx, write_shipments)
    hooks = ctx.get("before_transition") or {}
    hooks.setdefault("confirm", []).append(receive_components)
    ctx["before_transition"] = hooks
    from . import ledger
    from .ledger import Change
    from .models import MovementKind

    finished = warehouse_create(actor=None, code="01", name="成品库", is_default=True)
    raw_wh = warehouse_create(actor=None, code="02", name="原材料库")
    levels = []
    for material in _materials(ctx):
        if material.fulfilment != "stock":
            continue
        wh = raw_wh if getattr(material, "kind", "") in ("raw", "semi") else finished
        levels.append((level_for(material, wh), _demo_quantity(material)))
    plan = ledger.lock_levels(level.id for level, _qty in levels)
    for level, qty in levels:
        plan.add(Change(level.id, MovementKind.RECEIPT, on_hand=qty, reason="期初库存"))
    ledger.write(plan, actor=None)
    if _simulator is not None:
        # the opening stock is T+'s own opening balance: loaded there, not posted as documents
        from .erp_models import ErpPosting

        ErpPosting.objects.filter(movement__reason="期初库存").update(status="posted")
        _load_simulator(_simulator)
    if hasattr(ctx, "__setitem__"):
        ctx["warehouses"] = {"01": finished, "02": raw_wh}
    if hasattr(ctx, "counts"):
        ctx.counts["stock levels"] = len(levels)
    if hasattr(ctx, "say"):
        ctx.say(f"  2 warehouses, {len(levels)} stock levels")


def _load_simulator(sim: "TplusSimulator") -> None:
    try:
        from zhongshu.catalog.models import Material
        from zhongshu.customers.models import Customer

        from .models import Warehouse

        for wh in Warehouse.objects.all():
            sim.warehouses[wh.code] = wh.name
        for code, name in Material.objects.values_list("code", "name"):
            sim.inventories[code] = name
        for code, name in Customer.objects.values_list("code", "name"):
            sim.add_customer(code, name)
        for level in StockLevel.objects.select_related("material", "warehouse"):
            sim.set_stock(level.warehouse.code, level.material.code, level.on_hand,
                          level.material.name)  # fmt: skip
    except Exception:  # no tables yet: the seed loads the table when it runs
        pass


def _post_in_background(stop: threading.Event) -> None:
    """The demo runs no ``zhongshu worker``: post the outbox and sync every few seconds here,
    so shipments made in the demo reach the simulator (the two-way flow)."""
    from zhongshu.core import jobs

    wanted = {"inventory.erp_post": 5, "inventory.tplus_sync": 60}
    last: dict[str, float] = {}
    while not stop.wait(1.0):
        for job in jobs.registered():
            every = wanted.get(job.name)
            if every and time.monotonic() - last.get(job.name, 0) >= every:
                last[job.name] = time.monotonic()
                jobs.run(job)


def start_tplus(host: str) -> tuple[str, str, Callable[[], None]]:
    """Run the T+ simulator next to the demo server and point the app at it."""
    global _simulator
    from .tplus_simulator import TplusSimulator

    sim = TplusSimulator(
        app_key=SIM_CREDENTIALS["TPLUS_APP_KEY"],
        app_secret=SIM_CREDENTIALS["TPLUS_APP_SECRET"],
        open_token=SIM_CREDENTIALS["TPLUS_OPEN_TOKEN"],
    )
    url = sim.start(host=host if host not in ("0.0.0.0", "::") else "127.0.0.1")
    _load_simulator(sim)
    _simulator = sim
    # Both for this process and for server processes started after us.
    for name, value in {**SIM_CREDENTIALS, "TPLUS_BASE_URL": url}.items():
        os.environ[name] = value
        setattr(settings, name, value)
    stop = threading.Event()
    threading.Thread(target=_post_in_background, args=(stop,), daemon=True).start()

    def stop_all() -> None:
        stop.set()
        sim.stop()

    return "T+ simulator", url, stop_all


SERVICES = [start_tplus]
