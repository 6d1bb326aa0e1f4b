"""How long an operation takes: the one formula production, approvals and planning share."""

import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection

from zhongshu.core.rows import placeholders, rows_of


def operation_hours(
    *, setup_hours: Decimal, run_hours_per_unit: Decimal, quantity: Decimal
) -> Decimal:
    """Hours one routing operation takes for ``quantity`` units: its setup once, then its run
    hours per unit for every unit (setup + quantity × run). Unrounded."""
    return setup_hours + quantity * run_hours_per_unit


def routing_operations(order: Any, material_ids: Iterable[int]) -> dict[int, list[Any]]:
    """The routing operations of the products, by product id, in their sequence (with their
    routing and work centre): read once per order instance, so the rush check and the task
    sheets of one confirmation share one statement, written out (decision 32: every
    make-to-order confirmation reads them)."""
    from .models import Operation, Routing, WorkCenter

    wanted = set(material_ids)
    cached = getattr(order, "_zs_routing_operations", None)
    if cached is None or not wanted <= cached[0]:
        by_material: dict[int, list[Any]] = {}
        ops, routings, centres = (
            rows_of(Operation, "o"),
            rows_of(Routing, "r"),
            rows_of(WorkCenter, "w"),
        )
        routing_field = Operation._meta.get_field("routing")
        centre_field = Operation._meta.get_field("work_center")
        rows: list[Any] = []
        if wanted:
            with connection.cursor() as cur:
                cur.execute(_operations_sql(len(wanted)), sorted(wanted))
                rows = cur.fetchall()
        for row in rows:
            op = ops.load(row)
            routing = routings.load(row, ops.width)
            routing_field.set_cached_value(op, routing)
            centre_field.set_cached_value(op, centres.load(row, ops.width + routings.width))
            by_material.setdefault(routing.material_id, []).append(op)
        cached = order._zs_routing_operations = (wanted, by_material)
    return {m: ops for m, ops in cached[1].items() if m in wanted}


@functools.lru_cache(maxsize=64)
def _operations_sql(n: int) -> str:
    from .models import Operation, Routing, WorkCenter

    qn = connection.ops.quote_name
    op, routing, centre = (qn(m._meta.db_table) for m in (Operation, Routing, WorkCenter))
    return (
        f"SELECT {rows_of(Operation, 'o').columns}, {rows_of(Routing, 'r').columns},"
        f" {rows_of(WorkCenter, 'w').columns}"
        f" FROM {op} o JOIN {routing} r ON r.id = o.{qn('routing_id')}"
        f" JOIN {centre} w ON w.id = o.{qn('work_center_id')}"
        f" WHERE r.{qn('material_id')} IN ({placeholders(n)})"
        f" ORDER BY o.{qn('routing_id')}, o.{qn('sequence')}"
    )
