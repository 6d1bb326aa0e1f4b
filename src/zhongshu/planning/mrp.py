"""The MRP engine: load everything with a handful of set-based queries, then net in memory.

1. Gross requirements: open order lines (confirmed … awaiting QC) less what was shipped and less
   what is already reserved for that very line, on the order's due date (never before today).
2. Low-level codes: every material is planned once, after every parent that uses it, so a
   component shared by several products (or used at several levels) is netted once.
3. Netting per material, date by date: available (on hand − reserved by other demand) plus open
   purchase orders, kept at or above safety stock. A shortage becomes a planned order, sized by
   the material's lot rule (lot-for-lot, minimum order quantity, multiples).
4. Planned orders of made items (materials with a BOM) are released ``lead_time_days`` working
   days before they are needed and explode into their components on that release date; planned
   orders of bought items are the purchase suggestions.
"""

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import Conflict

ZERO = Decimal("0")
MILLI = Decimal("0.001")
PEG_LIMIT = 20  # order lines kept per suggestion; peg_count says how many there were
DEMAND_STATUSES = ("confirmed", "scheduling", "in_production", "awaiting_qc")


class BomCycle(Conflict):
    code = "bom_cycle"
    default_message = _("The bills of materials contain a cycle; MRP cannot run.")


@dataclass
class MaterialInfo:
    code: str
    lead_time: int
    safety_stock: Decimal
    min_qty: Decimal = ZERO
    multiple: Decimal = ZERO


class Bucket:
    """One material's gross requirement on one day, with the order lines it comes from (the
    first ``PEG_LIMIT``, kept as dict keys: ordered, and cheap to test for duplicates)."""

    __slots__ = ("peg_count", "pegs", "qty")

    def __init__(self, qty: Decimal = ZERO, pegs=(), peg_count: int = 0):
        self.qty = qty
        self.pegs = dict.fromkeys(pegs)
        self.peg_count = peg_count

    def add(self, qty: Decimal, pegs, peg_count: int) -> None:
        self.qty += qty
        self.peg_count += peg_count
        own = self.pegs
        if len(own) < PEG_LIMIT:
            for p in pegs:
                own[p] = None
                if len(own) >= PEG_LIMIT:
                    break


@dataclass
class Inputs:
    today: dt.date
    materials: dict[int, MaterialInfo]
    bom: dict[int, list[tuple[int, Decimal]]]  # product → [(component, quantity per unit)]
    available: dict[int, Decimal]
    receipts: dict[int, dict[dt.date, Decimal]]
    demand: dict[int, dict[dt.date, Bucket]]
    demand_lines: int = 0


@dataclass
class PlannedOrder:
    material_id: int
    quantity: Decimal
    net: Decimal
    need_date: dt.date
    order_by: dt.date
    reason: str  # "demand" | "safety_stock"
    late: bool
    pegs: list
    peg_count: int
    make: bool


def lot_size(net: Decimal, info: MaterialInfo) -> Decimal:
    """Lot-for-lot, raised to the minimum order quantity, rounded up to the multiple."""
    qty = max(net, info.min_qty)
    if info.multiple > 0:
        qty = (qty / info.multiple).to_integral_value(rounding=ROUND_CEILING) * info.multiple
    return qty.quantize(MILLI, rounding=ROUND_CEILING)


def low_level_codes(materials, bom: dict[int, list[tuple[int, Decimal]]]) -> dict[int, int]:
    """The deepest level each material appears at (0: top). Raises ``BomCycle``."""
    nodes = set(materials) | set(bom)
    indegree: dict[int, int] = defaultdict(int)
    for comps in bom.values():
        for comp, _qty in comps:
            nodes.add(comp)
            indegree[comp] += 1
    llc = dict.fromkeys(nodes, 0)
    queue = deque(n for n in nodes if indegree[n] == 0)
    seen = 0
    while queue:
        node = queue.popleft()
        seen += 1
        for comp, _qty in bom.get(node, ()):
            llc[comp] = max(llc[comp], llc[node] + 1)
            indegree[comp] -= 1
            if indegree[comp] == 0:
                queue.append(comp)
    if seen != len(nodes):
        raise BomCycle()
    return llc


def plan(inputs: Inputs, calendar) -> list[PlannedOrder]:
    """Net every material in low-level-code order; return the planned orders (made and bought)."""
    today = inputs.today
    llc = low_level_codes(inputs.materials, inputs.bom)
    demand = inputs.demand
    planned: list[PlannedOrder] = []
    for mid in sorted(llc, key=lambda m: (llc[m], m)):
        info = inputs.materials.get(mid)
        if info is None:  # inactive or unknown component: nothing to plan with
            continue
        gross = demand.get(mid, {})
        receipts = inputs.receipts.get(mid, {})
        projected = inputs.available.get(mid, ZERO) - info.safety_stock
        if not gross and projected >= 0:
            continue
        dates = set(gross) | set(receipts)
        if projected < 0:
            dates.add(today)
        comps = inputs.bom.get(mid)
        for day in sorted(dates):
            projected += receipts.get(day, ZERO)
            bucket = gross.get(day)
            if bucket is not None:
                projected -= bucket.qty
            if projected >= 0:
                continue
            net = -projected
            qty = lot_size(net, info)
            reason = "demand" if projected + info.safety_stock < 0 else "safety_stock"
            projected += qty
            order_by = calendar.back(day, info.lead_time)
            pegs = list(bucket.pegs) if bucket is not None else []
            peg_count = bucket.peg_count if bucket is not None else 0
            planned.append(
                PlannedOrder(
                    mid,
                    qty,
                    net.quantize(MILLI, rounding=ROUND_CEILING),
                    day,
                    order_by,
                    reason,
                    order_by < today,
                    pegs,
                    peg_count,
                    bool(comps),
                )
            )
            if comps:
                release = max(order_by, today)
                for comp, per in comps:
                    comp_gross = demand.get(comp)
                    if comp_gross is None:
                        comp_gross = demand[comp] = {}
                    b = comp_gross.get(release)
                    if b is None:
                        b = comp_gross[release] = Bucket()
                    b.add(qty * per, pegs, peg_count)
    return planned


# --- loading ---------------------------------------------------------------------------------------


def load_inputs(today: dt.date) -> Inputs:
    """Everything MRP needs, read with a fixed number of queries whatever the data size."""
    from zhongshu.catalog.models import Material
    from zhongshu.inventory.models import Reservation, StockLevel
    from zhongshu.orders.models import OrderLine
    from zhongshu.production.models import BomLine

    from .models import PlanningParameters, PurchaseOrder, PurchaseOrderStatus

    materials = {
        pk: MaterialInfo(code, lead, ss)
        for pk, code, lead, ss in Material.objects.filter(is_active=True).values_list(
            "id", "code", "lead_time_days", "safety_stock"
        )
    }
    for mid, min_qty, multiple in PlanningParameters.objects.values_list(
        "material_id", "min_order_qty", "order_multiple"
    ):
        if mid in materials:
            materials[mid].min_qty, materials[mid].multiple = min_qty, multiple

    bom: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for product, comp, per in BomLine.objects.order_by("id").values_list(
        "product_id", "component_id", "quantity_per_unit"
    ):
        bom[product].append((comp, per))

    available: dict[int, Decimal] = {
        mid: (on_hand or ZERO) - (reserved or ZERO)
        for mid, on_hand, reserved in StockLevel.objects.values("material_id")
        .annotate(o=Sum("on_hand"), r=Sum("reserved"))
        .values_list("material_id", "o", "r")
    }

    receipts: dict[int, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for mid, qty, received, due in PurchaseOrder.objects.filter(
        status=PurchaseOrderStatus.OPEN
    ).values_list("material_id", "quantity", "received_quantity", "due_date"):
        receipts[mid][max(due, today)] += qty - received

    held: dict[int, Decimal] = dict(
        Reservation.objects.filter(status="active", order_line__order__status__in=DEMAND_STATUSES)
        .values("order_line_id")
        .annotate(q=Sum("quantity"))
        .values_list("order_line_id", "q")
    )
    demand: dict[int, dict[dt.date, Bucket]] = defaultdict(dict)
    lines = 0
    for line_id, mid, qty, shipped, due in OrderLine.objects.filter(
        order__status__in=DEMAND_STATUSES
    ).values_list("id", "material_id", "quantity", "shipped_quantity", "order__due_date"):
        need = qty - shipped - held.get(line_id, ZERO)
        if need <= 0:
            continue
        lines += 1
        day = max(due, today)
        bucket = demand[mid].get(day)
        if bucket is None:
            bucket = demand[mid][day] = Bucket()
        bucket.qty += need
        bucket.peg_count += 1
        if len(bucket.pegs) < PEG_LIMIT:
            bucket.pegs[line_id] = None
    return Inputs(today, materials, dict(bom), available, receipts, demand, lines)
