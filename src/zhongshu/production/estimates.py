"""How long an operation takes: the one formula production, approvals and planning share."""

from decimal import Decimal


def operation_hours(
    *, setup_hours: Decimal, run_hours_per_unit: Decimal, quantity: Decimal
) -> Decimal:
    """Hours one routing operation takes for ``quantity`` units: its setup once, then its run
    hours per unit for every unit (setup + quantity × run). Unrounded."""
    return setup_hours + quantity * run_hours_per_unit
