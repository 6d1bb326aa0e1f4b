"""Demo stock: two warehouses, generous stock of every stock material, and a T+ simulator."""

import os
from decimal import Decimal

from django.conf import settings

from .models import StockLevel
from .services import level_for, warehouse_create

SEED_ORDER = 20

SIM_CREDENTIALS = {
    "TPLUS_APP_KEY": "demo-key",
    "TPLUS_APP_SECRET": "demo-secret",
    "TPLUS_OPEN_TOKEN": "demo-token",
}
_simulator = None


def _materials(ctx) -> list:
    raw = ctx.get("materials") if hasattr(ctx, "get") else None
    if isinstance(raw, dict):
        raw = list(raw.values())
    found = [m for m in raw or [] if hasattr(m, "fulfilment") and hasattr(m, "pk")]
    if found:
        return found
    from zhongshu.catalog.models import Material

    return list(Material.objects.filter(is_active=True))


def _demo_quantity(material) -> Decimal:
    safety = Decimal(str(getattr(material, "safety_stock", None) or 0))
    return max(Decimal(500), safety * 4).quantize(Decimal(1))


def seed(ctx) -> None:
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
        _load_simulator(_simulator)
    if hasattr(ctx, "__setitem__"):
        ctx["warehouses"] = {"01": finished, "02": raw_wh}
    if hasattr(ctx, "counts"):
        ctx.counts["stock levels"] = len(levels)
    if hasattr(ctx, "say"):
        ctx.say(f"  2 warehouses, {len(levels)} stock levels")


def _load_simulator(sim) -> None:
    try:
        for level in StockLevel.objects.select_related("material", "warehouse"):
            sim.set_stock(level.warehouse.code, level.material.code, level.on_hand,
                          level.material.name)  # fmt: skip
    except Exception:  # no tables yet: the seed loads the table when it runs
        pass


def start_tplus(host: str):
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
    return "T+ simulator", url, sim.stop


SERVICES = [start_tplus]
