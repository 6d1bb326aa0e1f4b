"""Production reads: lines, calendars, routings, tasks (scoped), kanban, line load, at-risk orders."""

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.catalog.quantities import component_requirement
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound
from zhongshu.core.text import normalize_code
from zhongshu.orders.models import Order

from .models import (
    BomLine,
    CalendarException,
    LineLoad,
    Operation,
    ProductionPlan,
    Task,
    TaskSheet,
    TaskStatus,
    WorkCenter,
)
from .services import line_calendars

MAX_LOAD_DAYS = 366
KANBAN_DONE_DAYS = 7
KANBAN_LIMIT = 200


def work_center_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet:
    permissions.require(actor, "production.view")
    qs = WorkCenter.objects.all()
    if not include_inactive:
        qs = qs.filter(active=True)
    return qs.order_by("code")


def rework_lines() -> QuerySet[WorkCenter]:
    """The lines a failed inspection's rework may be sent to (active, with working hours), for
    the QC failure form; the form checks its own right to inspect."""
    return WorkCenter.objects.filter(active=True, hours_per_shift__gt=0).order_by("code")


def work_center_get(*, actor: Actor, work_center_id) -> WorkCenter:
    permissions.require(actor, "production.view")
    return permissions.get_in_scope(WorkCenter.objects.all(), pk=work_center_id)


def calendar_exception_list(
    *, actor: Actor, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet:
    permissions.require(actor, "production.view")
    qs = CalendarException.objects.select_related("work_center")
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return qs.order_by("date", "work_center_id", "id")


def _material(code) -> Material:
    material = Material.objects.filter(code=normalize_code(code)).first()
    if material is None:
        raise NotFound()
    return material


def routing_get(*, actor: Actor, material_code: str) -> dict:
    permissions.require(actor, "production.view")
    material = _material(material_code)
    ops = list(
        Operation.objects.filter(routing__material=material)
        .select_related("work_center", "default_owner", "routing")
        .order_by("sequence")
    )
    return {
        "material": material.code,
        "material_name": material.name,
        "version": ops[0].routing.version if ops else None,
        "operations": [
            {
                "sequence": op.sequence,
                "name": op.name,
                "work_center": op.work_center.code,
                "work_center_name": op.work_center.name,
                "setup_hours": op.setup_hours,
                "run_hours_per_unit": op.run_hours_per_unit,
                "default_owner": op.default_owner.username if op.default_owner else None,
            }
            for op in ops
        ],
    }


def bom_get(*, actor: Actor, material_code: str) -> dict:
    permissions.require(actor, "production.view")
    material = _material(material_code)
    lines = BomLine.objects.filter(product=material).select_related("component").order_by("id")
    return {
        "material": material.code,
        "material_name": material.name,
        "lines": [
            {
                "component": b.component.code,
                "component_name": b.component.name,
                "unit": b.component.unit,
                "quantity_per_unit": b.quantity_per_unit,
                "scrap_percent": b.scrap_percent,
                "gross_per_unit": component_requirement(
                    quantity_per_unit=b.quantity_per_unit,
                    parent_quantity=Decimal(1),
                    scrap_percent=b.scrap_percent,
                ),
            }
            for b in lines
        ],
    }


TASK_RELATED = ("sheet", "sheet__material", "order", "order__customer", "work_center", "owner")


def task_list(
    *,
    actor: Actor,
    work_center: int | None = None,
    owner_me: bool = False,
    status: str | list[str] | None = None,
    order_id: int | None = None,
) -> QuerySet:
    """Tasks the actor may see, newest first (keyset-pageable by id)."""
    permissions.require(actor, "production.view")
    qs = Task.objects.select_related(*TASK_RELATED)
    q = permissions.task_scope_q(actor)
    if q is not None:
        qs = qs.filter(q)
    if work_center:
        qs = qs.filter(work_center_id=work_center)
    if owner_me:
        qs = qs.filter(owner_id=actor.pk)
    if status:
        qs = qs.filter(status__in=[status] if isinstance(status, str) else list(status))
    if order_id:
        qs = qs.filter(order_id=order_id)
    return qs.order_by("-id")


def task_get(*, actor: Actor, task_id) -> Task:
    return permissions.get_in_scope(task_list(actor=actor), pk=task_id)


def _predecessor_done(task: Task) -> bool:
    known = getattr(task, "predecessor_done", None)
    if known is not None:
        return known
    prev = (
        Task.objects.filter(sheet_id=task.sheet_id, sequence__lt=task.sequence)
        .exclude(status=TaskStatus.CANCELLED)
        .order_by("-sequence")
        .values_list("status", flat=True)
        .first()
    )
    return prev is None or prev == TaskStatus.DONE


def can_start(user, task: Task) -> bool:
    """Pending, the previous operation done, and the user may work it (own task or line)."""
    return (
        task.status == TaskStatus.PENDING
        and permissions.can(user, "production.work", task)
        and _predecessor_done(task)
    )


def can_finish(user, task: Task) -> bool:
    return task.status == TaskStatus.IN_PROGRESS and permissions.can(user, "production.work", task)


def sheets_for_order(*, actor: Actor, order_id) -> list[TaskSheet]:
    """The task sheets of an order the actor may see (404 outside their order scope)."""
    permissions.require(actor, "production.view")
    orders = permissions.scope_orders(actor, Order.objects.all())
    if not permissions.can(actor, "orders.view"):
        orders = orders.none()
    order = permissions.get_in_scope(orders, pk=order_id)
    tasks = Task.objects.select_related("work_center", "owner").order_by("sequence")
    return list(
        TaskSheet.objects.filter(order=order)
        .select_related("material", "order")
        .prefetch_related(Prefetch("tasks", queryset=tasks))
        .order_by("id")
    )


def kanban(*, actor: Actor, work_center_id: int, owner_me: bool = False) -> dict[str, list[Task]]:
    """The cards of one line: pending and in progress by planned start; done in the last week."""
    qs = task_list(actor=actor, work_center=work_center_id, owner_me=owner_me).order_by(
        "planned_start", "id"
    )
    since = timezone.now() - dt.timedelta(days=KANBAN_DONE_DAYS)
    pending = list(qs.filter(status=TaskStatus.PENDING)[:KANBAN_LIMIT])
    _mark_predecessors(pending)
    return {
        "pending": pending,
        "in_progress": list(qs.filter(status=TaskStatus.IN_PROGRESS)[:KANBAN_LIMIT]),
        "done": list(
            qs.filter(status=TaskStatus.DONE, actual_end__gte=since).order_by("-actual_end")[
                :KANBAN_LIMIT
            ]
        ),
    }


def _mark_predecessors(tasks: list[Task]) -> None:
    """Set ``predecessor_done`` on each task with one query (for the start buttons)."""
    if not tasks:
        return
    by_sheet: dict[int, list[tuple[int, str]]] = {}
    for sheet_id, seq, status in (
        Task.objects.filter(sheet_id__in={t.sheet_id for t in tasks})
        .exclude(status=TaskStatus.CANCELLED)
        .values_list("sheet_id", "sequence", "status")
    ):
        by_sheet.setdefault(sheet_id, []).append((seq, status))
    for t in tasks:
        before = [(seq, st) for seq, st in by_sheet.get(t.sheet_id, []) if seq < t.sequence]
        t.predecessor_done = not before or max(before)[1] == TaskStatus.DONE


def _window(start: dt.date, end: dt.date) -> list[dt.date]:
    if end < start:
        return []
    days = min((end - start).days + 1, MAX_LOAD_DAYS)
    return [start + dt.timedelta(days=i) for i in range(days)]


def _rate(planned: Decimal, capacity: Decimal) -> float | None:
    return round(float(planned / capacity), 4) if capacity > 0 else None


def line_load(
    *, actor: Actor, start: dt.date, end: dt.date, work_center_id: int | None = None
) -> list[dict]:
    """Per active line and day of [start, end] (at most a year): the hours the last schedule
    planned, the capacity hours of the calendar and the load rate = planned / capacity (None on
    a day without capacity). Three queries whatever the window."""
    permissions.require(actor, "production.view")
    days = _window(start, end)
    if not days:
        return []
    wcs = list(WorkCenter.objects.filter(active=True).order_by("code"))
    if work_center_id:
        wcs = [wc for wc in wcs if wc.pk == work_center_id]
    cals = line_calendars(wcs, since=days[0])
    planned = {
        (wc_id, day): hours
        for wc_id, day, hours in LineLoad.objects.filter(
            day__gte=days[0], day__lte=days[-1], work_center_id__in=[wc.pk for wc in wcs]
        ).values_list("work_center_id", "day", "planned_hours")
    }
    rows = []
    for wc in wcs:
        cal = cals[wc.pk]
        for day in days:
            capacity = (Decimal(cal.minutes(day)) / 60).quantize(Decimal("0.01"))
            hours = planned.get((wc.pk, day), Decimal("0"))
            rows.append(
                {
                    "work_center_id": wc.pk,
                    "code": wc.code,
                    "name": wc.name,
                    "day": day,
                    "planned_hours": hours,
                    "capacity_hours": capacity,
                    "load_rate": _rate(hours, capacity),
                }
            )
    return rows


def line_load_summary(*, actor: Actor, start: dt.date, end: dt.date) -> list[dict]:
    """Per line over the window: planned hours, capacity hours, load rate."""
    totals: dict[int, dict] = {}
    for row in line_load(actor=actor, start=start, end=end):
        t = totals.setdefault(
            row["work_center_id"],
            {
                "work_center_id": row["work_center_id"],
                "code": row["code"],
                "name": row["name"],
                "planned_hours": Decimal("0"),
                "capacity_hours": Decimal("0"),
            },
        )
        t["planned_hours"] += row["planned_hours"]
        t["capacity_hours"] += row["capacity_hours"]
    for t in totals.values():
        t["load_rate"] = _rate(t["planned_hours"], t["capacity_hours"])
    return list(totals.values())


def at_risk_orders(*, actor: Actor) -> QuerySet:
    """Orders the last schedule projects to finish after their due date (or cannot place)."""
    permissions.require(actor, "production.view")
    permissions.require(actor, "orders.view")
    qs = permissions.scope_orders(
        actor, ProductionPlan.objects.filter(at_risk=True), prefix="order__"
    )
    return qs.select_related("order", "order__customer").order_by("order__due_date", "order_id")


def schedule_updating(*, actor: Actor) -> bool:
    """Whether a reflow is waiting or running (``services.reflow.schedule_updating``)."""
    from .services.reflow import schedule_updating as updating

    permissions.require(actor, "production.view")
    return updating()


def order_plan(*, actor: Actor, order_id) -> ProductionPlan | None:
    permissions.require(actor, "production.view")
    qs = permissions.scope_orders(actor, ProductionPlan.objects.all(), prefix="order__")
    return qs.filter(order_id=order_id).select_related("order").first()


def capacity_hours(work_center: WorkCenter, day: dt.date) -> Decimal:
    cal = line_calendars([work_center], since=day)[work_center.pk]
    return Decimal(cal.minutes(day)) / 60


def reported_quantities(*, order_id: int) -> list[dict]:
    """Per task sheet of the order (system read for QC and the printed sheet): the quantity
    ordered, what its last finished operation reported good, and the scrap of all its
    operations. ``good`` is None while nothing was reported; it is what QC inspects."""
    sheets = list(
        TaskSheet.objects.filter(order_id=order_id)
        .exclude(status="cancelled")
        .select_related("material")
        .order_by("id")
    )
    done = (
        Task.objects.filter(sheet__in=sheets, status=TaskStatus.DONE)
        .exclude(good_quantity=None)
        .order_by("sheet_id", "sequence")
        .values_list("sheet_id", "good_quantity", "scrap_quantity")
    )
    last_good: dict[int, Decimal] = {}
    scrap: dict[int, Decimal] = {}
    for sheet_id, good, scrapped in done:
        last_good[sheet_id] = good or Decimal(0)
        scrap[sheet_id] = scrap.get(sheet_id, Decimal(0)) + (scrapped or Decimal(0))
    return [
        {
            "sheet": s.number,
            "material": s.material,
            "quantity": s.quantity,
            "good": last_good.get(s.pk),
            "scrap": scrap.get(s.pk, Decimal(0)),
        }
        for s in sheets
    ]


def paused_summary(*, actor: Actor) -> dict:
    """How many tasks in progress are paused, on how many lines (the dashboard's figure), within
    the actor's task scope."""
    rows = list(
        task_list(actor=actor)
        .filter(status=TaskStatus.IN_PROGRESS, paused_at__isnull=False)
        .order_by()
        .values_list("work_center_id", flat=True)
    )
    return {"paused_tasks": len(rows), "paused_lines": len(set(rows))}
