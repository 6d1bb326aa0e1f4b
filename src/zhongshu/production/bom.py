"""Exploding bills of materials: what making some products takes, level by level, scrap included.

A component's requirement for ``q`` units of its parent is ``q × quantity per unit × (1 + scrap
% / 100)``: the scrap share is lost in making, so more has to be put in. Components that have a
bill of their own (sub-assemblies) are made along with the order and exploded in turn, down to
the materials that have none (bought parts, bar stock, castings): those are what the order draws
from stock. One query per level of the deepest bill, whatever the number of products.
"""

from collections import defaultdict
from decimal import Decimal

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
    frontier = demand
    level = 0
    while frontier and level < MAX_LEVELS:
        ids = {m for needs in frontier.values() for m in needs}
        bom: dict[int, list[tuple[int, Decimal, Decimal]]] = defaultdict(list)
        for product, comp, per_unit, scrap in (
            BomLine.objects.filter(product_id__in=ids)
            .order_by()
            .values_list("product_id", "component_id", "quantity_per_unit", "scrap_percent")
        ):
            bom[product].append((comp, per_unit, scrap))
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
