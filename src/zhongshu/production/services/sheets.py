"""Task sheets of an order, driven by the order's transitions and approved changes (system calls
inside the order's transaction)."""

from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.catalog.models import Fulfilment
from zhongshu.orders.models import Order

from ..estimates import operation_hours, routing_operations
from ..exceptions import (
    RoutingMissing,
)
from ..models import (
    OPEN_TASK,
    Operation,
    SheetStatus,
    Task,
    TaskSheet,
    TaskStatus,
)
from ._common import MAX_HOURS
from .reflow import request_reflow
from .routings import missing_routings


def _estimate(op: Operation, quantity: Decimal) -> Decimal:
    """A task's estimated hours: the operation's hours for the quantity, to the thousandth,
    capped at what the field holds."""
    hours = operation_hours(
        setup_hours=op.setup_hours, run_hours_per_unit=op.run_hours_per_unit, quantity=quantity
    )
    return min(hours.quantize(Decimal("0.001")), MAX_HOURS * 100)


def create_sheets(*, order: Order, routings_checked: bool = False) -> list[TaskSheet]:
    """One task sheet per make line with one task per routing operation (system, in the confirm
    transaction). Raises ``RoutingMissing`` listing every product without a routing, unless
    ``routings_checked`` (the confirm guard looked in the same transaction)."""
    if not routings_checked:
        missing = missing_routings(order)
        if missing:
            raise RoutingMissing(missing)
    make_lines = _make_lines(order)
    if not make_lines:
        return []
    existing = set(TaskSheet.objects.filter(order=order).values_list("order_line_id", flat=True))
    ops_by_material = routing_operations(order, [ln.material_id for ln in make_lines])
    sheets = []
    for line in make_lines:
        if line.pk in existing:
            continue  # confirmed again after a return: the sheet is still there
        sheets.append(
            TaskSheet(
                number=f"{order.number}-{line.line_no}",
                order=order,
                order_line=line,
                material=line.material,
                quantity=line.quantity,
            )
        )
    TaskSheet.objects.bulk_create(sheets)
    if connection.features.can_return_rows_from_bulk_insert is False:  # pragma: no cover
        sheets = list(TaskSheet.objects.filter(order=order, status=SheetStatus.OPEN))
    tasks = []
    for sheet in sheets:
        for op in ops_by_material.get(sheet.material_id, []):
            tasks.append(
                Task(
                    sheet=sheet,
                    order=order,
                    sequence=op.sequence,
                    name=op.name,
                    work_center_id=op.work_center_id,
                    owner_id=op.default_owner_id,
                    estimated_hours=_estimate(op, sheet.quantity),
                )
            )
    Task.objects.bulk_create(tasks)
    request_reflow()
    return sheets


def _make_lines(order: Order) -> list:
    prefetched = getattr(order, "_prefetched_objects_cache", {}).get("lines")
    if prefetched is not None:
        return [line for line in prefetched if line.fulfilment == Fulfilment.MAKE]
    return list(order.lines.filter(fulfilment=Fulfilment.MAKE).select_related("material"))


def cancel_tasks(*, order: Order) -> int:
    n = Task.objects.filter(order=order, status__in=OPEN_TASK).update(
        status=TaskStatus.CANCELLED, planned_start=None, planned_finish=None,
        updated_at=timezone.now(),
    )  # fmt: skip
    TaskSheet.objects.filter(order=order, status=SheetStatus.OPEN).update(
        status=SheetStatus.CANCELLED
    )
    request_reflow()
    return n


def start_first_tasks(*, order: Order) -> None:
    """A supervisor started production by hand: the first operation of every sheet starts."""
    now = timezone.now()
    for sheet_id in TaskSheet.objects.filter(order=order, status=SheetStatus.OPEN).values_list(
        "pk", flat=True
    ):
        first = (
            Task.objects.filter(sheet_id=sheet_id)
            .exclude(status=TaskStatus.CANCELLED)
            .order_by("sequence")
            .first()
        )
        if first is not None and first.status == TaskStatus.PENDING:
            Task.objects.filter(pk=first.pk).update(
                status=TaskStatus.IN_PROGRESS, actual_start=now, version=first.version + 1,
                updated_at=now,
            )  # fmt: skip
    request_reflow()


def close_open_tasks(*, order: Order) -> None:
    """A supervisor finished production by hand: what was still open is recorded as done."""
    now = timezone.now()
    for task in Task.objects.filter(order=order, status__in=OPEN_TASK):
        task.status = TaskStatus.DONE
        task.actual_start = task.actual_start or now
        task.actual_end = now
        task.version += 1
        task.save(update_fields=["status", "actual_start", "actual_end", "version", "updated_at"])
    TaskSheet.objects.filter(order=order, status=SheetStatus.OPEN).update(status=SheetStatus.DONE)
    request_reflow()


def lines_with_started_work(*, order: Order, line_ids) -> list[int]:
    """Those of ``line_ids`` whose task sheet has a task started or done (such a line cannot be
    removed from the order: its sheet and the work recorded on it would go with it)."""
    return sorted(
        set(
            Task.objects.filter(
                order=order,
                sheet__order_line_id__in=list(line_ids),
                status__in=(TaskStatus.IN_PROGRESS, TaskStatus.DONE),
            ).values_list("sheet__order_line_id", flat=True)
        )
    )


def sheets_follow_order(*, order: Order, drawing_revision: str = "") -> dict[str, int]:
    """After an approved change of a released order (system, in the change's transaction):
    sheets of changed make lines take the new quantity and their pending tasks are re-estimated
    from the routing (setup + quantity × run); tasks in progress or done are kept as they are;
    new make lines get their sheets; a drawing revision is noted on every open task. Then one
    reflow after commit. Returns counts {resized, reestimated, created}."""
    lines = {
        ln.pk: ln
        for ln in order.lines.filter(fulfilment=Fulfilment.MAKE).select_related("material")
    }
    sheets = list(TaskSheet.objects.filter(order=order, status=SheetStatus.OPEN))
    ops: defaultdict[int, dict[int, Operation]] = defaultdict(dict)
    for operation in Operation.objects.filter(
        routing__material_id__in={ln.material_id for ln in lines.values()}
    ).select_related("routing"):
        ops[operation.routing.material_id][operation.sequence] = operation
    resized = reestimated = 0
    for sheet in sheets:
        line = lines.get(sheet.order_line_id)
        if line is None or line.quantity == sheet.quantity:
            continue
        sheet.quantity = line.quantity
        sheet.save(update_fields=["quantity"])
        resized += 1
        for task in Task.objects.filter(sheet=sheet, status=TaskStatus.PENDING, is_rework=False):
            op = ops[sheet.material_id].get(task.sequence)
            if op is None:
                continue
            task.estimated_hours = _estimate(op, line.quantity)
            task.version += 1
            task.save(update_fields=["estimated_hours", "version", "updated_at"])
            reestimated += 1
    with_sheet = {s.order_line_id for s in sheets} | set(
        TaskSheet.objects.filter(order=order).values_list("order_line_id", flat=True)
    )
    created = 0
    if any(pk not in with_sheet for pk in lines):
        created = len(create_sheets(order=order))
    if drawing_revision:
        note = _("Drawing revision %(rev)s") % {"rev": drawing_revision[:40]}
        Task.objects.filter(order=order, status__in=OPEN_TASK).update(
            note=note, updated_at=timezone.now()
        )
    request_reflow()
    return {"resized": resized, "reestimated": reestimated, "created": created}
