"""How long an operation takes: the one formula production, approvals and planning share."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any


def operation_hours(
    *, setup_hours: Decimal, run_hours_per_unit: Decimal, quantity: Decimal
) -> Decimal:
    """Hours one routing operation takes for ``quantity`` units: its setup once, then its run
    hours per unit for every unit (setup + quantity × run). Unrounded."""
    return setup_hours + quantity * run_hours_per_unit


def routing_operations(order: Any, material_ids: Iterable[int]) -> dict[int, list[Any]]:
    """The routing operations of the products, by product id, in their sequence (with their
    routing and work centre): read once per order instance, so the rush check and the task
    sheets of one confirmation share one statement."""
    from .models import Operation

    wanted = set(material_ids)
    cached = getattr(order, "_zs_routing_operations", None)
    if cached is None or not wanted <= cached[0]:
        by_material: dict[int, list[Any]] = {}
        ops = (
            Operation.objects.filter(routing__material_id__in=wanted)
            .select_related("routing", "work_center")
            .order_by("routing_id", "sequence")
        )
        for op in ops:
            by_material.setdefault(op.routing.material_id, []).append(op)
        cached = order._zs_routing_operations = (wanted, by_material)
    return {m: ops for m, ops in cached[1].items() if m in wanted}
