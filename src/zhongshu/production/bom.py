"""Exploding bills of materials: what making some products takes, level by level, scrap included.

A component's requirement for ``q`` units of its parent is ``q × quantity per unit × (1 + scrap
% / 100)``: the scrap share is lost in making, so more has to be put in. Components that have a
bill of their own (sub-assemblies) are made along with the order and exploded in turn, down to
the materials that have none (bought parts, bar stock, castings): those are what the order draws
from stock. One query whatever the depth of the bills and the number of products: the bill lines
under the products, found by a recursive query (every make-to-order confirmation explodes its
lines).
"""

import functools
from collections import defaultdict
from decimal import Decimal

from django.db import connection

from zhongshu.catalog.models import Material
from zhongshu.core.rows import placeholders, values_of

from .models import BomLine

HUNDRED = Decimal(100)
MAX_LEVELS = 20  # deeper than any real bill; a cycle (refused on save) cannot loop forever


def with_scrap(quantity: Decimal, per_unit: Decimal, scrap_percent: Decimal) -> Decimal:
    return quantity * per_unit * (1 + scrap_percent / HUNDRED)


def explode(demand: dict[int, Decimal]) -> dict[int, Decimal]:
    """``{product id: quantity}`` → ``{material id: quantity}`` of the leaf components (those
    without a bill) the quantities take, scrap included. A product without a bill needs
    nothing (it is not made from anything this system knows of)."""
    return explode_by_root({root: {root: q} for root, q in demand.items()}).get_leaves()


class Explosion:
    """Per root (e.g. an order line), the leaf components it needs."""

    def __init__(self) -> None:
        self.by_root: dict[object, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))

    def get_leaves(self) -> dict[int, Decimal]:
        total: dict[int, Decimal] = defaultdict(Decimal)
        for needs in self.by_root.values():
            for material_id, qty in needs.items():
                total[material_id] += qty
        return dict(total)


def explode_by_root(demand: dict[object, dict[int, Decimal]]) -> Explosion:
    """``{root: {product id: quantity}}`` → ``Explosion`` with the leaf components per root."""
    out = Explosion()
    bom = bills_under({m for needs in demand.values() for m in needs})
    frontier = demand
    level = 0
    while frontier and level < MAX_LEVELS:
        nxt: dict[object, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for root, needs in frontier.items():
            for material_id, qty in needs.items():
                lines = bom.get(material_id)
                if not lines:
                    if level > 0:  # a component without a bill: drawn from stock
                        out.by_root[root][material_id] += qty
                    continue
                for comp, per_unit, scrap in lines:
                    nxt[root][comp] += with_scrap(qty, per_unit, scrap)
        frontier = nxt
        level += 1
    return out


def bills_under(product_ids: set[int]) -> dict[int, list[tuple[int, Decimal, Decimal]]]:
    """``{product id: [(component id, quantity per unit, scrap %), …]}`` for the products and
    every sub-assembly below them, in one statement (``UNION`` stops at a row already found, so
    even a cycle the saving refused could not loop)."""
    if not product_ids:
        return {}
    ids = sorted(product_ids)
    fields = values_of(
        BomLine, "b", ("product_id", "component_id", "quantity_per_unit", "scrap_percent")
    )
    bom: dict[int, list[tuple[int, Decimal, Decimal]]] = defaultdict(list)
    with connection.cursor() as cur:
        cur.execute(_bills_sql(len(ids)), ids)
        for row in cur.fetchall():
            product, comp, per_unit, scrap = fields.values(row)
            bom[product].append((comp, per_unit, scrap))
    return bom


@functools.lru_cache(maxsize=64)
def _bills_sql(n: int) -> str:
    qn = connection.ops.quote_name
    line, material = qn(BomLine._meta.db_table), qn(Material._meta.db_table)
    product, component = qn("product_id"), qn("component_id")
    fields = values_of(
        BomLine, "b", ("product_id", "component_id", "quantity_per_unit", "scrap_percent")
    )
    return (
        f"WITH RECURSIVE tree(id) AS (SELECT m.id FROM {material} m"
        f" WHERE m.id IN ({placeholders(n)})"
        f" UNION SELECT b.{component} FROM {line} b JOIN tree t ON b.{product} = t.id)"
        f" SELECT {fields.columns} FROM {line} b JOIN tree t ON b.{product} = t.id"
        f" ORDER BY b.{product}, b.id"
    )
