"""The MRP engine: load everything with a handful of set-based queries, then net in memory.

1. Gross requirements: open order lines (confirmed … awaiting QC) less what was shipped and less
   what is already reserved for that very line, on the order's due date (never before today);
   optionally the demand forecast net of the orders already booked in each bucket
   (``forecast.extra_demand``).
2. Low-level codes: every material is planned once, after every parent that uses it, so a
   component shared by several products (or used at several levels) is netted once.
3. Netting per material, date by date: available (on hand − reserved by other demand) plus open
   purchase orders (what is not received yet) and work in progress (open task sheets at their
   planned finish), kept at or above safety stock. A shortage becomes a planned order, sized by
   the material's lot rule (lot-for-lot, minimum order quantity, multiples).
4. Planned orders of made items (materials with a BOM) are released ``lead_time_days`` working
   days before they are needed and explode into their components on that release date, each
   component's requirement scrap included (``catalog.quantities.component_requirement``: quantity
   per × parent quantity × (1 + scrap %)); planned orders of bought items are the purchase
   suggestions.
"""

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from zhongshu.catalog.quantities import component_requirement
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

    __slots__ = ("fc", "peg_count", "pegs", "qty")

    def __init__(self, qty: Decimal = ZERO, pegs=(), peg_count: int = 0, fc: Decimal = ZERO):
        self.qty = qty
        self.pegs = dict.fromkeys(pegs)
        self.peg_count = peg_count
        self.fc = fc  # how much of ``qty`` is forecast rather than booked orders

    def add(self, qty: Decimal, pegs, peg_count: int, fc: Decimal = ZERO) -> None:
        self.qty += qty
        self.fc += fc
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
    wip_sheets: int = 0
    forecast_products: int = 0


@dataclass
class PlannedOrder:
    material_id: int
    quantity: Decimal
    net: Decimal
    need_date: dt.date
    order_by: dt.date
    reason: str  # "demand" | "forecast" | "safety_stock"
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
            if reason == "demand" and bucket is not None and not bucket.peg_count and bucket.fc:
                reason = "forecast"
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
                    need = qty * per
                    b.add(need, pegs, peg_count, need if reason == "forecast" else ZERO)
    return planned


# --- loading ---------------------------------------------------------------------------------------
# Each loader is one set-based query (two for demand), optionally narrowed to some materials
# (capable-to-promise reads only the materials of the order being entered).


def _only(qs, field: str, ids):
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


def load_available(ids=None) -> dict[int, Decimal]:
    """On hand − reserved per material, every warehouse."""
    from zhongshu.inventory.models import StockLevel

    rows = (
        _only(StockLevel.objects, "material_id", ids)
        .values("material_id")
        .annotate(o=Sum("on_hand"), r=Sum("reserved"))
        .values_list("material_id", "o", "r")
    )
    return {mid: (o or ZERO) - (r or ZERO) for mid, o, r in rows}


def load_component_holds(ids=None) -> dict[int, Decimal]:
    """Components held for make lines (reserved at confirmation, not yet issued), per material.
    MRP explodes those lines' demand again, so it counts the holds as available to them."""
    from zhongshu.inventory.models import Reservation

    return dict(
        _only(
            Reservation.objects.filter(status="active", for_component=True),
            "level__material_id",
            ids,
        )
        .values("level__material_id")
        .annotate(q=Sum("quantity"))
        .values_list("level__material_id", "q")
    )


def lines_holding_components(line_ids) -> set[int]:
    """The order lines among ``line_ids`` that hold components (their allocation is taken)."""
    from zhongshu.inventory.models import Reservation

    return set(
        Reservation.objects.filter(
            status="active", for_component=True, order_line_id__in=list(line_ids)
        ).values_list("order_line_id", flat=True)
    )


def load_po_supply(today: dt.date, ids=None) -> list[tuple[int, dt.date, Decimal, str]]:
    """Open purchase orders: (material, due date ≥ today, quantity not yet received, number)."""
    from .models import PurchaseOrder, PurchaseOrderStatus

    rows = _only(PurchaseOrder.objects.filter(status=PurchaseOrderStatus.OPEN), "material_id", ids)
    return [
        (mid, max(due, today), qty - received, number)
        for mid, qty, received, due, number in rows.values_list(
            "material_id", "quantity", "received_quantity", "due_date", "number"
        )
        if qty > received
    ]


@dataclass
class Wip:
    """Open production as supply: (product, finish date, quantity, sheet number) per task sheet,
    and what sheets not started yet still need of their components (on their start date)."""

    supply: list[tuple[int, dt.date, Decimal, str]]
    allocations: list[tuple[int, dt.date, Decimal, int]]  # (product, start, quantity, order line)


def load_wip(today: dt.date, ids=None) -> Wip:
    """Task sheets of open orders. A sheet supplies its product on its planned finish (the
    last planned finish of its open tasks), never later than its own order's need date: a sheet
    running late still covers its order, and buying more would not make it earlier (production
    flags the order at risk). A finished sheet supplies today what its line has not shipped. A
    sheet none of whose tasks has started has not drawn its components yet: they stay demand
    on its planned start; once work has started they are taken as issued to the floor. A sheet
    neither scheduled nor started is left out: MRP plans its order line as before."""
    from django.db.models import Count, Max, Min, Q
    from django.utils import timezone

    from zhongshu.production.models import OPEN_TASK, SheetStatus, TaskSheet, TaskStatus

    qs = _only(
        TaskSheet.objects.filter(
            status__in=(SheetStatus.OPEN, SheetStatus.DONE), order__status__in=DEMAND_STATUSES
        ),
        "material_id",
        ids,
    ).annotate(
        finish=Max("tasks__planned_finish", filter=Q(tasks__status__in=OPEN_TASK)),
        start=Min("tasks__planned_start", filter=Q(tasks__status__in=OPEN_TASK)),
        started=Count(
            "tasks", filter=Q(tasks__status__in=(TaskStatus.IN_PROGRESS, TaskStatus.DONE))
        ),
    )
    tz = timezone.get_current_timezone()
    wip = Wip([], [])
    for number, mid, qty, line_id, shipped, due, status, finish, start, started in qs.values_list(
        "number", "material_id", "quantity", "order_line_id", "order_line__shipped_quantity",
        "order__due_date", "status", "finish", "start", "started",
    ):  # fmt: skip
        left = qty - shipped
        if left <= 0:
            continue
        need = max(due, today)
        if status == SheetStatus.DONE:
            day = today
        elif finish is None and not started:
            continue  # not scheduled yet: MRP plans the order line itself, with lead times
        else:
            day = need if finish is None else timezone.localtime(finish, tz).date()
            day = max(today, min(day, need))
        wip.supply.append((mid, day, left, number))
        if status == SheetStatus.OPEN and not started:
            begin = today if start is None else max(today, timezone.localtime(start, tz).date())
            wip.allocations.append((mid, begin, left, line_id))
    return wip


def load_order_demand(today: dt.date, ids=None, *, exclude_order=None):
    """Open order lines still to be covered: (line, material, need date, quantity) — quantity
    less shipped and less what is reserved for that very line; need date never before today."""
    from zhongshu.inventory.models import Reservation
    from zhongshu.orders.models import OrderLine

    res = Reservation.objects.filter(
        status="active", for_component=False, order_line__order__status__in=DEMAND_STATUSES
    )
    lines = OrderLine.objects.filter(order__status__in=DEMAND_STATUSES)
    if exclude_order is not None:
        res = res.exclude(order_line__order_id=exclude_order)
        lines = lines.exclude(order_id=exclude_order)
    held: dict[int, Decimal] = dict(
        _only(res, "order_line__material_id", ids)
        .values("order_line_id")
        .annotate(q=Sum("quantity"))
        .values_list("order_line_id", "q")
    )
    out = []
    for line_id, mid, qty, shipped, due in _only(lines, "material_id", ids).values_list(
        "id", "material_id", "quantity", "shipped_quantity", "order__due_date"
    ):
        need = qty - shipped - held.get(line_id, ZERO)
        if need > 0:
            out.append((line_id, mid, max(due, today), need))
    return out


def load_bom(ids=None) -> dict[int, list[tuple[int, Decimal]]]:
    """product → [(component, gross quantity per unit of the product, scrap % included)]."""
    from zhongshu.production.models import BomLine

    bom: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for product, comp, per, scrap in (
        _only(BomLine.objects, "product_id", ids)
        .order_by("id")
        .values_list("product_id", "component_id", "quantity_per_unit", "scrap_percent")
    ):
        gross = component_requirement(
            quantity_per_unit=per, parent_quantity=Decimal(1), scrap_percent=scrap
        )
        bom[product].append((comp, gross))
    return dict(bom)


def load_inputs(today: dt.date, *, forecast: dict[int, dict[dt.date, Decimal]] | None = None):
    """Everything MRP needs, read with a fixed number of queries whatever the data size.
    ``forecast``: extra demand per product and date (forecast net of booked orders)."""
    from zhongshu.catalog.models import Material

    from .models import PlanningParameters

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
    bom = load_bom()

    receipts: dict[int, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for mid, day, qty, _number in load_po_supply(today):
        receipts[mid][day] += qty
    wip = load_wip(today)
    for mid, day, qty, _number in wip.supply:
        receipts[mid][day] += qty

    demand: dict[int, dict[dt.date, Bucket]] = defaultdict(dict)

    def bucket(mid, day):
        b = demand[mid].get(day)
        if b is None:
            b = demand[mid][day] = Bucket()
        return b

    lines = 0
    for line_id, mid, day, need in load_order_demand(today):
        lines += 1
        b = bucket(mid, day)
        b.qty += need
        b.peg_count += 1
        if len(b.pegs) < PEG_LIMIT:
            b.pegs[line_id] = None
    for product, day, qty, line_id in wip.allocations:
        for comp, per in bom.get(product, ()):
            bucket(comp, day).add(qty * per, (line_id,), 1)
    for mid, days in (forecast or {}).items():
        for day, qty in days.items():
            bucket(mid, day).add(qty, (), 0, qty)
    available = load_available()
    for mid, held in load_component_holds().items():  # the lines exploded above need them
        available[mid] = available.get(mid, ZERO) + held
    inputs = Inputs(today, materials, bom, available, receipts, demand, lines)
    inputs.wip_sheets = len(wip.supply)
    inputs.forecast_products = len(forecast or {})
    return inputs
