"""The make-to-order scenario of benchmarks/reservations.py: orders for made products whose
3-level bills of materials compete for the same bought components, some of them short.

Each of 20 products (made, with a routing of two operations) is built from two sub-assemblies,
each of those from two intermediate parts, each of those from two of 30 shared raw materials
(scrap % on every level): 8 leaf components per product, every raw material used by several
products. Stock covers about 70 % of the total requirement, unevenly: some components run out.

Confirming through the app holds the make lines' components as the product does
(``inventory.services.components``: all or nothing — an order short of any component is refused
and holds nothing) and creates the task sheets. The bare side does the same in SQL: lock the
order, explode the bills with one recursive query, lock the components' levels in id order, refuse
(roll back) when any level lacks the order's total need of it, else hold the need per (line,
component), write the levels, the ledger rows, the component reservations, the task sheet and its
tasks, the status and the timeline row.
"""

import random
from decimal import Decimal

from _bare_audit import history_bare

PRODUCTS = 20
RAW = 30
COVER = Decimal("0.7")


def load(n_orders: int, *, customer, sales, warehouse, seed: int = 11) -> dict:
    """Bills, routings, stock and pending make-to-order orders (after reservations.reset_and_load
    emptied orders and stock)."""
    from django.db import transaction
    from django.utils import timezone

    from zhongshu.catalog.models import Material
    from zhongshu.inventory.models import StockLevel, StockMovement
    from zhongshu.orders.models import Order, OrderLine
    from zhongshu.production.bom import explode
    from zhongshu.production.models import BomLine, Operation, Routing, WorkCenter

    rng = random.Random(seed)
    with transaction.atomic():
        if not Material.objects.filter(code="BT-P00").exists():
            _bills(rng)
        wc, _ = WorkCenter.objects.get_or_create(code="BT-CNC", defaults={"name": "基准加工线"})
        products = list(Material.objects.filter(code__startswith="BT-P").order_by("code"))
        for p in products:
            routing, made = Routing.objects.get_or_create(material=p)
            if made:
                Operation.objects.bulk_create(
                    [
                        Operation(routing=routing, sequence=10, name="车", work_center=wc,
                                  setup_hours=Decimal("0.5"), run_hours_per_unit=Decimal("0.1")),
                        Operation(routing=routing, sequence=20, name="铣", work_center=wc,
                                  setup_hours=Decimal("0.5"), run_hours_per_unit=Decimal("0.1")),
                    ]
                )  # fmt: skip
        order_lines = [[(rng.randrange(PRODUCTS), rng.randint(1, 3))] for _ in range(n_orders)]
        demand: dict[int, Decimal] = {}
        for lines in order_lines:
            for p, q in lines:
                demand[products[p].pk] = demand.get(products[p].pk, Decimal(0)) + q
        leaves = explode(demand)
        now = timezone.now()
        levels = StockLevel.objects.bulk_create(
            [
                StockLevel(material_id=m, warehouse=warehouse, reserved=0,
                           on_hand=(q * COVER * Decimal(rng.uniform(0.5, 1.5))).quantize(1))
                for m, q in sorted(leaves.items())
            ]
        )  # fmt: skip
        StockMovement.objects.bulk_create(
            [
                StockMovement(level=lv, material_id=lv.material_id, warehouse=warehouse,
                              kind="receipt", quantity=lv.on_hand, on_hand_delta=lv.on_hand,
                              on_hand_before=0, on_hand_after=lv.on_hand, reserved_before=0,
                              reserved_after=0, created_at=now)
                for lv in levels
            ]
        )  # fmt: skip
        due = timezone.localdate() + __import__("datetime").timedelta(days=30)
        orders = Order.objects.bulk_create(
            [
                Order(number=f"SO-BENCH-{i:06d}", customer=customer, sales_owner=sales,
                      created_by=sales, due_date=due, status="pending_review")
                for i in range(n_orders)
            ]
        )  # fmt: skip
        OrderLine.objects.bulk_create(
            [
                OrderLine(order=o, line_no=n, material=products[p], quantity=q,
                          unit_price=Decimal(100), amount=Decimal(100 * q), fulfilment="make")
                for o, lines in zip(orders, order_lines, strict=True)
                for n, (p, q) in enumerate(lines, start=1)
            ]
        )  # fmt: skip
        assert BomLine.objects.filter(product__code__startswith="BT-").exists()
    return {
        "order_ids": [o.id for o in orders],
        "stock": sum(lv.on_hand for lv in levels),
        "demand": sum(leaves.values()).quantize(1),
        "warehouse_id": warehouse.id,
    }


def _bills(rng: random.Random) -> None:
    from zhongshu.catalog.models import Material
    from zhongshu.production.models import BomLine

    def made(code, name, **kw):
        return Material(code=code, name=name, standard_price=Decimal(10), **kw)

    raw = Material.objects.bulk_create(
        [made(f"BT-R{i:02d}", f"基准原料{i}", kind="raw", unit="kg") for i in range(RAW)]
    )
    products = Material.objects.bulk_create(
        [made(f"BT-P{i:02d}", f"基准产品{i}", fulfilment="make") for i in range(PRODUCTS)]
    )
    subs = Material.objects.bulk_create(
        [made(f"BT-S{i:02d}{j}", f"基准部件{i}{j}") for i in range(PRODUCTS) for j in range(2)]
    )
    parts = Material.objects.bulk_create(
        [made(f"BT-Q{i:02d}{j}", f"基准零件{i}{j}") for i in range(len(subs)) for j in range(2)]
    )
    scrap = [Decimal(0), Decimal(2), Decimal(5)]
    bom = []
    for i, p in enumerate(products):
        for s in subs[2 * i : 2 * i + 2]:
            bom.append(BomLine(product=p, component=s, quantity_per_unit=1,
                               scrap_percent=rng.choice(scrap)))  # fmt: skip
    for i, s in enumerate(subs):
        for q in parts[2 * i : 2 * i + 2]:
            bom.append(BomLine(product=s, component=q, quantity_per_unit=2,
                               scrap_percent=rng.choice(scrap)))  # fmt: skip
    for q in parts:
        for r in rng.sample(raw, 2):
            bom.append(BomLine(product=q, component=r, quantity_per_unit=Decimal("1.5"),
                               scrap_percent=rng.choice(scrap)))  # fmt: skip
    BomLine.objects.bulk_create(bom)


# --- the bare SQL side -------------------------------------------------------------------------------

EXPLODE = """
WITH RECURSIVE need(line_id, material_id, qty, level) AS (
    SELECT ol.id, ol.material_id, ol.quantity::numeric, 0
    FROM orders_orderline ol WHERE ol.order_id = %s AND ol.fulfilment = 'make'
  UNION ALL
    SELECT n.line_id, b.component_id,
           n.qty * b.quantity_per_unit * (1 + b.scrap_percent / 100), n.level + 1
    FROM need n JOIN production_bomline b ON b.product_id = n.material_id
)
SELECT n.line_id, n.material_id, sum(n.qty), sl.id
FROM need n LEFT JOIN inventory_stocklevel sl
  ON sl.material_id = n.material_id AND sl.warehouse_id = %s
WHERE n.level > 0
  AND NOT EXISTS (SELECT 1 FROM production_bomline b WHERE b.product_id = n.material_id)
GROUP BY n.line_id, n.material_id, sl.id
ORDER BY n.line_id, n.material_id
"""


def confirm_bare(
    cur, order_id: int, warehouse_id: int, planner_id: int, short, *, audit: bool = True
) -> None:
    """The make-to-order confirmation in bare SQL (``audit`` as in ``confirm_stock_bare``)."""
    cur.execute("SELECT status, number FROM orders_order WHERE id = %s FOR UPDATE", [order_id])
    status, number = cur.fetchone()
    if status != "pending_review":
        raise short
    cur.execute(EXPLODE, [order_id, warehouse_id])
    needs = cur.fetchall()
    level_ids = sorted({lv for _l, _m, _q, lv in needs if lv is not None})
    cur.execute(
        "SELECT id, on_hand, reserved FROM inventory_stocklevel WHERE id = ANY(%s) "
        "ORDER BY id FOR UPDATE",
        [level_ids],
    )
    figures = {lv: [oh, rs] for lv, oh, rs in cur.fetchall()}
    wanted: dict[int, Decimal] = {}
    for _line, _material, qty, level_id in needs:
        if level_id is None:
            raise short  # a component with no stock level is short
        wanted[level_id] = wanted.get(level_id, Decimal(0)) + qty
    if any(figures[lv][0] - figures[lv][1] < q for lv, q in wanted.items()):
        raise short  # all or nothing, as the product confirms
    movements, holds = [], []
    for line_id, material_id, take, level_id in needs:
        oh, rs = figures[level_id]
        if take <= 0:
            continue
        figures[level_id][1] = rs + take
        movements.append((level_id, material_id, warehouse_id, take, take, oh, oh, rs, rs + take,
                          planner_id, order_id, line_id))  # fmt: skip
        holds.append((order_id, line_id, level_id, take))
    cur.executemany(
        "UPDATE inventory_stocklevel SET reserved = %s, updated_at = now() WHERE id = %s",
        [(figures[lv][1], lv) for lv in level_ids],
    )
    cur.executemany(
        """INSERT INTO inventory_stockmovement (level_id, material_id, warehouse_id, kind, quantity,
             on_hand_delta, reserved_delta, on_hand_before, on_hand_after, reserved_before,
             reserved_after, actor_id, order_id, order_line_id, reason, created_at)
           VALUES (%s, %s, %s, 'reserve', %s, 0, %s, %s, %s, %s, %s, %s, %s, %s, '', now())""",
        movements,
    )
    cur.executemany(
        """INSERT INTO inventory_reservation (order_id, order_line_id, level_id, quantity,
             consumed, released, status, for_component, created_at, updated_at)
           VALUES (%s, %s, %s, %s, 0, 0, 'active', true, now(), now())""",
        holds,
    )
    _sheets_bare(cur, order_id, number)
    cur.execute(
        """UPDATE orders_order SET status = 'confirmed', version = version + 1,
             confirmed_at = now(), updated_at = now() WHERE id = %s""",
        [order_id],
    )
    cur.execute(
        """INSERT INTO orders_orderevent (order_id, actor_id, at, action, from_status, to_status,
             note, data)
           VALUES (%s, %s, now(), 'confirm', 'pending_review', 'confirmed', '', '{}')""",
        [order_id, planner_id],
    )
    if audit:
        history_bare(cur, order_id, level_ids, planner_id)


def _sheets_bare(cur, order_id: int, number: str) -> None:
    cur.execute(
        """INSERT INTO production_tasksheet (number, order_id, order_line_id, material_id,
             quantity, status, created_at)
           SELECT %s || '-' || ol.line_no, ol.order_id, ol.id, ol.material_id, ol.quantity,
                  'open', now()
           FROM orders_orderline ol WHERE ol.order_id = %s AND ol.fulfilment = 'make'
           RETURNING id, material_id, quantity""",
        [number, order_id],
    )
    for sheet_id, material_id, qty in cur.fetchall():
        cur.execute(
            """INSERT INTO production_task (sheet_id, order_id, sequence, name, work_center_id,
                 owner_id, estimated_hours, status, is_rework, note, version, updated_at,
                 pause_note, pause_reason)
               SELECT %s, %s, op.sequence, op.name, op.work_center_id, op.default_owner_id,
                      round(op.setup_hours + op.run_hours_per_unit * %s, 3), 'pending', false,
                      '', 1, now(), '', ''
               FROM production_operation op JOIN production_routing r ON r.id = op.routing_id
               WHERE r.material_id = %s ORDER BY op.sequence""",
            [sheet_id, order_id, qty, material_id],
        )
