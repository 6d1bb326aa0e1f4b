"""How much of a component a quantity of its parent needs: the one formula every app uses
(MRP, capable-to-promise, make-to-order availability, the bill of materials page and API).

    requirement = quantity per unit × parent quantity × (1 + scrap % / 100)

Exact decimal arithmetic, no rounding: a caller rounds only where it prints or buys."""

from decimal import Decimal

HUNDRED = Decimal(100)


def component_requirement(
    *, quantity_per_unit: Decimal, parent_quantity: Decimal, scrap_percent: Decimal = Decimal(0)
) -> Decimal:
    """The gross quantity of a component for ``parent_quantity`` of its parent, scrap included
    (``scrap_percent`` as the bill states it: 5 means 5 %)."""
    return quantity_per_unit * parent_quantity * (HUNDRED + scrap_percent) / HUNDRED
