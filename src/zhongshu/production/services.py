"""Production use cases: lines, calendars, routings, BOMs, task sheets, the floor, scheduling.

Every function checks permissions first and is one transaction. ``actor=None`` is the system
(order hooks, seeding, the scheduler after a commit).
"""

import datetime as dt
import logging
import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Fulfilment, Material
from zhongshu.core.errors import NotFound, StaleVersion, ValidationFailed
from zhongshu.core.signals import user_activity
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_decimal, clean_text
from zhongshu.orders.models import Order
from zhongshu.orders.statuses import OrderStatus

from . import scheduler
from .calendar import Exception_, LineCalendar, hours_to_minutes
from .exceptions import (
    OrderNotInProduction,
    PredecessorNotDone,
    RoutingMissing,
    TaskClosed,
    TaskNotFinishable,
    TaskNotStartable,
)
from .models import (
    OPEN_TASK,
    BomLine,
    CalendarException,
    LineLoad,
    Operation,
    ProductionPlan,
    Routing,
    SheetStatus,
    Task,
    TaskSheet,
    TaskStatus,
    WorkCenter,
)

log = logging.getLogger(__name__)
User = get_user_model()
MAX_OPERATIONS = 50
MAX_BOM_LINES = 200
MAX_HOURS = Decimal("9999")

# --- helpers -------------------------------------------------------------------------------------


def _require(actor, action: str, obj=None) -> None:
    if actor is not None:
        permissions.require(actor, action, obj)


def _check_version(obj, version: Any) -> None:
    if version is None:
        return
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationFailed({"version": _("Enter a whole number.")})
    if obj.version != version:
        raise StaleVersion(details={"current_version": obj.version, "your_version": version})


def _clean_hours(errors: Errors, field: str, value: Any, *, places: int = 3) -> Decimal | None:
    return clean_decimal(
        errors, field, value, places=places, min_value=Decimal(0), max_value=MAX_HOURS,
        max_digits=10,
    )  # fmt: skip


def _clean_date(errors: Errors, field: str, value: Any, *, required: bool = True):
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(normalize_text(str(value)))
    except ValueError:
        errors.add(field, _("Enter a date as YYYY-MM-DD."))
        return None


def _activity(actor, kind: str, obj) -> None:
    if actor is None:
        return
    transaction.on_commit(lambda: user_activity.send(sender=Task, user=actor, kind=kind, obj=obj))


# --- work centers and calendars ------------------------------------------------------------------


def _clean_work_center(errors: Errors, data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not partial or "code" in data:
        out["code"] = clean_text(
            errors, "code", normalize_code(data.get("code")), max_length=20, required=True
        )
    if not partial or "name" in data:
        out["name"] = clean_text(errors, "name", data.get("name"), max_length=80, required=True)
    if not partial or "hours_per_shift" in data:
        hours = clean_decimal(
            errors, "hours_per_shift", data.get("hours_per_shift"), places=2,
            min_value=Decimal(0), max_value=Decimal(24), max_digits=4,
        )  # fmt: skip
        out["hours_per_shift"] = hours
    if not partial or "shifts_per_day" in data:
        shifts = data.get("shifts_per_day")
        if isinstance(shifts, bool) or not isinstance(shifts, int) or not 0 <= shifts <= 3:
            errors.add("shifts_per_day", _("Enter a whole number from 0 to 3."))
        out["shifts_per_day"] = shifts
    if "active" in data:
        if not isinstance(data["active"], bool):
            errors.add("active", _("Enter true or false."))
        out["active"] = data["active"]
    if (
        out.get("hours_per_shift") is not None
        and isinstance(out.get("shifts_per_day"), int)
        and out["hours_per_shift"] * out["shifts_per_day"] > 24
    ):
        errors.add("hours_per_shift", _("A day has at most 24 working hours."))
    return out


def _members(errors: Errors, usernames: Any) -> list | None:
    if usernames is None:
        return None
    if not isinstance(usernames, list | tuple):
        errors.add("members", _("Enter a list of user names."))
        return None
    names = [normalize_text(str(u)) for u in usernames]
    users = list(User.objects.filter(username__in=names, is_active=True))
    missing = sorted(set(names) - {u.username for u in users})
    if missing:
        errors.add("members", _("Unknown users: %(names)s") % {"names": ", ".join(missing)})
    return users


@transaction.atomic
def work_center_create(
    *,
    actor,
    code: str,
    name: str,
    hours_per_shift: Any = Decimal("8"),
    shifts_per_day: int = 1,
    active: bool = True,
    members: list[str] | None = None,
) -> WorkCenter:
    _require(actor, "production.manage")
    errors = Errors()
    data = _clean_work_center(
        errors,
        {"code": code, "name": name, "hours_per_shift": hours_per_shift,
         "shifts_per_day": shifts_per_day, "active": active},
        partial=False,
    )  # fmt: skip
    users = _members(errors, members)
    errors.raise_if_any()
    if WorkCenter.objects.filter(code=data["code"]).exists():
        raise ValidationFailed(
            {"code": _("Production line %(code)s already exists.") % {"code": data["code"]}}
        )
    wc = WorkCenter.objects.create(**data)
    if users:
        wc.members.set(users)
    request_reflow()
    return wc


@transaction.atomic
def work_center_update(*, actor, work_center_id: Any, version: Any, data: dict[str, Any]):
    _require(actor, "production.manage")
    wc = permissions.get_in_scope(WorkCenter.objects.select_for_update(), pk=work_center_id)
    if version is None:
        raise ValidationFailed({"version": _("The version you edited is required.")})
    _check_version(wc, version)
    errors = Errors()
    merged = {
        "hours_per_shift": wc.hours_per_shift,
        "shifts_per_day": wc.shifts_per_day,
        **{k: v for k, v in data.items() if v is not None},
    }
    changes = _clean_work_center(errors, merged, partial=True)
    changes = {k: v for k, v in changes.items() if k in data and data[k] is not None}
    users = _members(errors, data.get("members"))
    errors.raise_if_any()
    code = changes.get("code")
    if code and WorkCenter.objects.filter(code=code).exclude(pk=wc.pk).exists():
        raise ValidationFailed(
            {"code": _("Production line %(code)s already exists.") % {"code": code}}
        )
    for k, v in changes.items():
        setattr(wc, k, v)
    wc.version += 1
    wc.save()
    if users is not None:
        wc.members.set(users)
    request_reflow()
    return wc


@transaction.atomic
def calendar_exception_set(
    *,
    actor,
    date: Any,
    working: Any,
    hours: Any = None,
    work_center_id: Any = None,
    note: str = "",
) -> CalendarException:
    """Override one day, for one line or (no line) for the whole factory. Replaces an earlier
    override of the same day."""
    _require(actor, "production.manage")
    errors = Errors()
    day = _clean_date(errors, "date", date)
    if not isinstance(working, bool):
        errors.add("working", _("Enter true or false."))
    value = None
    if hours not in (None, ""):
        value = clean_decimal(
            errors, "hours", hours, places=2, min_value=Decimal(0), max_value=Decimal(24),
            max_digits=4,
        )  # fmt: skip
    note = clean_text(errors, "note", note, max_length=200)
    wc = None
    if work_center_id not in (None, ""):
        wc = (
            WorkCenter.objects.filter(pk=work_center_id).first()
            if str(work_center_id).isdigit()
            else None
        )
        if wc is None:
            errors.add("work_center_id", _("Unknown production line."))
    errors.raise_if_any()
    exc, _created = CalendarException.objects.update_or_create(
        work_center=wc,
        date=day,
        defaults={"working": working, "hours": value if working else None, "note": note,
                  "created_by": actor},
    )  # fmt: skip
    request_reflow()
    return exc


@transaction.atomic
def calendar_exception_delete(*, actor, exception_id: Any) -> None:
    _require(actor, "production.manage")
    exc = permissions.get_in_scope(CalendarException.objects.all(), pk=exception_id)
    exc.delete()
    request_reflow()


def line_calendars(work_centers=None, *, since: dt.date | None = None) -> dict[int, LineCalendar]:
    """The calendar of every line (inactive lines have no capacity), exceptions included."""
    wcs = list(work_centers if work_centers is not None else WorkCenter.objects.all())
    exc_qs = CalendarException.objects.all()
    if since is not None:
        exc_qs = exc_qs.filter(date__gte=since)
    own: dict[int, dict] = defaultdict(dict)
    factory: dict = {}
    for wc_id, day, working, hours in exc_qs.values_list(
        "work_center_id", "date", "working", "hours"
    ):
        exc = Exception_(working, None if hours is None else hours_to_minutes(hours))
        if wc_id is None:
            factory[day] = exc
        else:
            own[wc_id][day] = exc
    return {
        wc.pk: LineCalendar(
            minutes_per_day=hours_to_minutes(wc.hours_per_day) if wc.active else 0,
            own=own.get(wc.pk, {}) if wc.active else {},
            factory=factory if wc.active else {},
        )
        for wc in wcs
    }


# --- routings and BOMs ----------------------------------------------------------------------------


def _material(code: Any) -> Material:
    material = Material.objects.filter(code=normalize_code(code)).first()
    if material is None:
        raise NotFound()
    return material


@transaction.atomic
def routing_set(*, actor, material_code: str, operations: list[dict[str, Any]]) -> Routing:
    """Replace the routing of a make-to-order product with ``operations`` in the given order.
    Task sheets already created keep the operations they were created with."""
    _require(actor, "production.manage")
    material = _material(material_code)
    errors = Errors()
    if material.fulfilment != Fulfilment.MAKE:
        errors.add("material", _("Only make-to-order products have a routing."))
    if not isinstance(operations, list | tuple) or not operations:
        errors.add("operations", _("A routing needs at least one operation."))
        operations = []
    elif len(operations) > MAX_OPERATIONS:
        errors.add("operations", _("At most %(n)d operations.") % {"n": MAX_OPERATIONS})
        operations = []
    codes = {normalize_code(op.get("work_center")) for op in operations if isinstance(op, dict)}
    lines = {wc.code: wc for wc in WorkCenter.objects.filter(code__in=codes)}
    names = {
        normalize_text(str(op.get("default_owner")))
        for op in operations
        if isinstance(op, dict) and op.get("default_owner")
    }
    owners = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    rows = []
    for i, op in enumerate(operations):
        p = f"operations[{i}]"
        if not isinstance(op, dict):
            errors.add(p, _("Each operation needs a production line and hours."))
            continue
        wc = lines.get(normalize_code(op.get("work_center")))
        if wc is None:
            errors.add(f"{p}.work_center", _("Unknown production line."))
        setup = _clean_hours(errors, f"{p}.setup_hours", op.get("setup_hours", 0))
        run = _clean_hours(errors, f"{p}.run_hours_per_unit", op.get("run_hours_per_unit"))
        name = clean_text(errors, f"{p}.name", op.get("name"), max_length=80)
        owner = None
        if op.get("default_owner"):
            owner = owners.get(normalize_text(str(op["default_owner"])))
            if owner is None:
                errors.add(f"{p}.default_owner", _("Unknown user."))
        rows.append((wc, setup, run, name, owner))
    errors.raise_if_any()
    routing, created = Routing.objects.select_for_update().get_or_create(
        material=material, defaults={"updated_by": actor}
    )
    if not created:
        routing.operations.all().delete()
        routing.version += 1
        routing.updated_by = actor
        routing.save()
    Operation.objects.bulk_create(
        Operation(
            routing=routing, sequence=(i + 1) * 10, work_center=wc, setup_hours=setup,
            run_hours_per_unit=run, name=name, default_owner=owner,
        )
        for i, (wc, setup, run, name, owner) in enumerate(rows)
    )  # fmt: skip
    return routing


@transaction.atomic
def bom_set(*, actor, material_code: str, lines: list[dict[str, Any]]) -> list[BomLine]:
    """Replace the bill of materials of a product (an empty list clears it)."""
    _require(actor, "production.manage")
    product = _material(material_code)
    errors = Errors()
    if not isinstance(lines, list | tuple):
        errors.add("lines", _("Enter a list of components."))
        lines = []
    elif len(lines) > MAX_BOM_LINES:
        errors.add("lines", _("At most %(n)d lines.") % {"n": MAX_BOM_LINES})
        lines = []
    codes = {normalize_code(line.get("component")) for line in lines if isinstance(line, dict)}
    components = {m.code: m for m in Material.objects.filter(code__in=codes)}
    rows, seen = [], set()
    for i, line in enumerate(lines):
        p = f"lines[{i}]"
        if not isinstance(line, dict):
            errors.add(p, _("Each line needs a component and a quantity."))
            continue
        code = normalize_code(line.get("component"))
        component = components.get(code)
        if component is None:
            errors.add(f"{p}.component", _("Unknown material: %(code)s") % {"code": code})
        elif component.pk == product.pk:
            errors.add(f"{p}.component", _("A product cannot be its own component."))
        elif component.pk in seen:
            errors.add(f"{p}.component", _("Listed twice: %(code)s") % {"code": code})
        else:
            seen.add(component.pk)
        qty = clean_decimal(
            errors, f"{p}.quantity_per_unit", line.get("quantity_per_unit"), places=4,
            strictly_positive=True,
        )  # fmt: skip
        rows.append((component, qty))
    errors.raise_if_any()
    BomLine.objects.filter(product=product).delete()
    return BomLine.objects.bulk_create(
        BomLine(product=product, component=c, quantity_per_unit=q) for c, q in rows
    )


# --- task sheets (order hooks) --------------------------------------------------------------------


def missing_routings(order: Order) -> list[str]:
    make_lines = order.lines.filter(fulfilment=Fulfilment.MAKE)
    return sorted(
        make_lines.filter(
            Q(material__routing__isnull=True) | Q(material__routing__operations__isnull=True)
        )
        .values_list("material__code", flat=True)
        .distinct()
    )


def create_sheets(*, order: Order) -> list[TaskSheet]:
    """One task sheet per make line with one task per routing operation (system, in the confirm
    transaction). Raises ``RoutingMissing`` listing every product without a routing."""
    missing = missing_routings(order)
    if missing:
        raise RoutingMissing(missing)
    make_lines = list(order.lines.filter(fulfilment=Fulfilment.MAKE).select_related("material"))
    if not make_lines:
        return []
    existing = set(TaskSheet.objects.filter(order=order).values_list("order_line_id", flat=True))
    ops_by_material: dict[int, list[Operation]] = defaultdict(list)
    for op in (
        Operation.objects.filter(routing__material_id__in=[ln.material_id for ln in make_lines])
        .select_related("routing")
        .order_by("routing_id", "sequence")
    ):
        ops_by_material[op.routing.material_id].append(op)
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
        for op in ops_by_material[sheet.material_id]:
            hours = op.setup_hours + sheet.quantity * op.run_hours_per_unit
            tasks.append(
                Task(
                    sheet=sheet,
                    order=order,
                    sequence=op.sequence,
                    name=op.name,
                    work_center_id=op.work_center_id,
                    owner_id=op.default_owner_id,
                    estimated_hours=min(hours.quantize(Decimal("0.001")), MAX_HOURS * 100),
                )
            )
    Task.objects.bulk_create(tasks)
    request_reflow()
    return sheets


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


# --- the floor ----------------------------------------------------------------------------------


def _scoped_tasks(actor):
    qs = Task.objects.all()
    if actor is None:
        return qs
    permissions.require(actor, "production.view")
    q = permissions.task_scope_q(actor)
    return qs if q is None else qs.filter(q)


def _lock_task(actor, task_id: Any) -> Task:
    """The task in the actor's scope (404 otherwise), its order locked first (orders before
    tasks, always) so two tasks of one order finishing together see each other."""
    task = permissions.get_in_scope(_scoped_tasks(actor).only("pk", "order_id"), pk=task_id)
    Order.objects.select_for_update().filter(pk=task.order_id).first()
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("work_center", "sheet", "order")
        .get(pk=task.pk)
    )


def _predecessor(task: Task) -> Task | None:
    return (
        Task.objects.filter(sheet_id=task.sheet_id, sequence__lt=task.sequence)
        .exclude(status=TaskStatus.CANCELLED)
        .order_by("-sequence")
        .first()
    )


STARTABLE_ORDER = {OrderStatus.CONFIRMED, OrderStatus.SCHEDULING, OrderStatus.IN_PRODUCTION}


@transaction.atomic
def task_start(*, actor, task_id: Any, version: Any = None) -> Task:
    """Start a pending task. Its previous operation on the sheet must be done. The first task
    started moves the order to in production."""
    _require(actor, "production.work")
    task = _lock_task(actor, task_id)
    _require(actor, "production.work", task)
    _check_version(task, version)
    if task.status != TaskStatus.PENDING:
        raise TaskNotStartable(details={"status": task.status})
    if task.order.status not in STARTABLE_ORDER:
        raise OrderNotInProduction(details={"order_status": task.order.status})
    prev = _predecessor(task)
    if prev is not None and prev.status != TaskStatus.DONE:
        raise PredecessorNotDone(details={"task": prev.pk, "status": prev.status})
    now = timezone.now()
    task.status = TaskStatus.IN_PROGRESS
    task.actual_start = now
    if task.owner_id is None and actor is not None:
        task.owner = actor  # an operator starting an unowned task of their line takes it
    task.version += 1
    task.save(update_fields=["status", "actual_start", "owner", "version", "updated_at"])
    if task.order.status != OrderStatus.IN_PRODUCTION:
        from zhongshu.orders.services import order_transition

        order_transition(
            actor=actor, order_id=task.order_id, action="start", system=True,
            data={"source": "task", "task": task.pk},
        )  # fmt: skip
    _activity(actor, "task.started", task)
    request_reflow()
    return task


@transaction.atomic
def task_finish(*, actor, task_id: Any, actual_hours: Any = None, version: Any = None) -> Task:
    """Finish a task in progress. When no task of the order is open any more, the order moves to
    awaiting QC."""
    _require(actor, "production.work")
    task = _lock_task(actor, task_id)
    _require(actor, "production.work", task)
    _check_version(task, version)
    errors = Errors()
    hours = None
    if actual_hours not in (None, ""):
        hours = _clean_hours(errors, "actual_hours", actual_hours)
    errors.raise_if_any()
    if task.status != TaskStatus.IN_PROGRESS:
        raise TaskNotFinishable(details={"status": task.status})
    now = timezone.now()
    if hours is None and task.actual_start:
        hours = Decimal(str(round((now - task.actual_start).total_seconds() / 3600, 3)))
    task.status = TaskStatus.DONE
    task.actual_end = now
    task.actual_hours = min(hours, MAX_HOURS) if hours is not None else None
    task.version += 1
    task.save(update_fields=["status", "actual_end", "actual_hours", "version", "updated_at"])
    if not Task.objects.filter(sheet_id=task.sheet_id, status__in=OPEN_TASK).exists():
        TaskSheet.objects.filter(pk=task.sheet_id).update(status=SheetStatus.DONE)
    if (
        task.order.status == OrderStatus.IN_PRODUCTION
        and not Task.objects.filter(order_id=task.order_id, status__in=OPEN_TASK).exists()
    ):
        from zhongshu.orders.services import order_transition

        order_transition(
            actor=actor, order_id=task.order_id, action="finish", system=True,
            data={"source": "task", "task": task.pk},
        )  # fmt: skip
    _activity(actor, "task.finished", task)
    request_reflow()
    return task


def _open_task_for_change(actor, task_id: Any, version: Any, action: str) -> Task:
    _require(actor, action)
    task = permissions.get_in_scope(
        _scoped_tasks(actor).select_for_update(of=("self",)).select_related("work_center"),
        pk=task_id,
    )
    _check_version(task, version)
    if task.status not in OPEN_TASK:
        raise TaskClosed(details={"status": task.status})
    return task


@transaction.atomic
def task_assign(*, actor, task_id: Any, owner_id: Any, version: Any = None) -> Task:
    """Give an open task to someone (``owner_id=None`` leaves it unowned)."""
    task = _open_task_for_change(actor, task_id, version, "production.assign")
    owner = None
    if owner_id not in (None, ""):
        owner = (
            User.objects.filter(pk=owner_id, is_active=True).first()
            if str(owner_id).isdigit()
            else None
        )
        if owner is None or not permissions.can(owner, "production.work"):
            raise ValidationFailed(
                {"owner_id": _("Choose an active user who works on production tasks.")}
            )
    task.owner = owner
    task.version += 1
    task.save(update_fields=["owner", "version", "updated_at"])
    return task


@transaction.atomic
def task_pin(
    *, actor, task_id: Any, date: Any = None, work_center_id: Any = None, version: Any = None
) -> Task:
    """Pin an open task to start no earlier than ``date`` and/or to run on another line; both
    empty unpins it. The rest of the schedule reflows around it."""
    task = _open_task_for_change(actor, task_id, version, "production.schedule")
    errors = Errors()
    day = _clean_date(errors, "date", date, required=False)
    wc = None
    if work_center_id not in (None, ""):
        wc = (
            WorkCenter.objects.filter(pk=work_center_id, active=True).first()
            if str(work_center_id).isdigit()
            else None
        )
        if wc is None:
            errors.add("work_center_id", _("Unknown or inactive production line."))
    if day is not None and day < timezone.localdate():
        errors.add("date", _("The date is in the past."))
    if day is not None and day > timezone.localdate() + dt.timedelta(days=3 * 366):
        errors.add("date", _("The date is more than %(n)d years ahead.") % {"n": 3})
    errors.raise_if_any()
    task.pinned_date = day
    task.pinned_work_center = wc
    task.version += 1
    task.save(update_fields=["pinned_date", "pinned_work_center", "version", "updated_at"])
    request_reflow()
    return task


@transaction.atomic
def add_rework_task(*, actor, order_id: Any, reason: str) -> Task:
    """QC failed: add a pending rework task after the last operation of the order's last sheet,
    on the same line and for the same owner."""
    _require(actor, "production.rework")
    qs = Order.objects.select_for_update()
    if actor is not None and not permissions.can(actor, "orders.view"):
        raise NotFound()
    if actor is not None:
        qs = permissions.scope_orders(actor, qs)
    order = permissions.get_in_scope(qs, pk=order_id)
    reason = normalize_text(reason)
    if not reason:
        raise ValidationFailed({"reason": _("A reason is required for this action.")})
    if order.status not in (OrderStatus.IN_PRODUCTION, OrderStatus.AWAITING_QC):
        raise OrderNotInProduction(details={"order_status": order.status})
    last = (
        Task.objects.filter(order=order)
        .exclude(status=TaskStatus.CANCELLED)
        .select_related("sheet")
        .order_by("-sheet_id", "-sequence")
        .first()
    )
    if last is None:
        raise OrderNotInProduction(
            _("This order has no production task sheet to add rework to."),
            details={"order_status": order.status},
        )
    seq = (Task.objects.filter(sheet_id=last.sheet_id).aggregate(m=Max("sequence"))["m"] or 0) + 10
    task = Task.objects.create(
        sheet=last.sheet,
        order=order,
        sequence=seq,
        name=_("Rework"),
        work_center_id=last.line_id,
        owner_id=last.owner_id,
        estimated_hours=last.estimated_hours,
        is_rework=True,
        note=reason[:500],
    )
    TaskSheet.objects.filter(pk=last.sheet_id).update(status=SheetStatus.OPEN)
    request_reflow()
    return task


# --- scheduling ---------------------------------------------------------------------------------


class _Reflow:
    """One pending reschedule, run after the transaction that asked for it commits."""

    done = False

    def __call__(self) -> None:
        self.done = True
        try:
            reschedule(actor=None)
        except Exception:  # a failed reflow must not turn a committed change into an error
            log.exception("production reschedule failed")


def request_reflow() -> None:
    """Reschedule once after the current transaction commits (however many changes ask)."""
    if connection.in_atomic_block and any(
        isinstance(item[1], _Reflow) and not item[1].done for item in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Reflow())


WRITE_CHUNK = 1000


def _write_planned(changed: list[tuple[int, Any, Any]]) -> None:
    """Write planned start/finish of many tasks in a few statements: ``UPDATE … FROM unnest(…)``
    on PostgreSQL, ``UPDATE … FROM (VALUES …)`` per thousand rows on SQLite. (``bulk_update``
    builds CASE expressions that cost many seconds of Python for 20,000 rows.)"""
    if not changed:
        return
    ops = connection.ops
    table = ops.quote_name(Task._meta.db_table)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for i in range(0, len(changed), 10 * WRITE_CHUNK):
                ids, starts, finishes = zip(*changed[i : i + 10 * WRITE_CHUNK], strict=True)
                cursor.execute(
                    f"UPDATE {table} SET planned_start = v.s, planned_finish = v.f "
                    f"FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) "
                    f"AS v(id, s, f) WHERE {table}.id = v.id",
                    [list(ids), list(starts), list(finishes)],
                )
        return
    with connection.cursor() as cursor:
        for i in range(0, len(changed), WRITE_CHUNK):
            chunk = changed[i : i + WRITE_CHUNK]
            values = ", ".join("(%s, %s, %s)" for _ in chunk)
            params: list[Any] = []
            for pk, start, finish in chunk:
                params += [
                    pk, ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(finish),
                ]  # fmt: skip
            cursor.execute(
                f"UPDATE {table} SET planned_start = v.column2, planned_finish = v.column3 "
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                params,
            )


@transaction.atomic
def reschedule(*, actor=None, now: dt.datetime | None = None) -> dict[str, Any]:
    """Plan every open task again (see ``scheduler``) and store the planned dates, each order's
    projected finish and at-risk flag, and the load per line and day.

    One transaction, serialised by locking the line rows first: two runs never interleave, and
    the later one reads what the earlier one (and the change that asked for it) committed."""
    _require(actor, "production.schedule")
    began = time.perf_counter()
    now = now or timezone.localtime()
    list(WorkCenter.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    rows = list(
        Task.objects.filter(status__in=OPEN_TASK).values_list(
            "pk", "order_id", "sheet_id", "sequence", "work_center_id", "pinned_work_center_id",
            "estimated_hours", "status", "pinned_date", "actual_start", "planned_start",
            "planned_finish", "order__priority", "order__due_date",
        )
    )  # fmt: skip
    work_centers = list(WorkCenter.objects.all())
    cals = line_calendars(work_centers, since=now.date())
    items = [
        scheduler.TaskIn(
            id=pk, order_id=order_id, sheet_id=sheet_id, sequence=seq,
            line_id=pinned_wc or wc, minutes=hours_to_minutes(hours), priority=prio, due=due,
            in_progress=status == TaskStatus.IN_PROGRESS, pinned_date=pinned,
        )
        for (pk, order_id, sheet_id, seq, wc, pinned_wc, hours, status, pinned, _a, _s, _f,
             prio, due) in rows
    ]  # fmt: skip
    result = scheduler.schedule(items, cals, now=now)
    due_by_order = {r[1]: r[13] for r in rows}
    changed = []
    for pk, *_x, actual_start, old_start, old_finish, _p, _d in rows:
        start = result.start.get(pk)
        finish = result.finish.get(pk)
        if actual_start is not None and start is not None:
            start = actual_start  # what is running started when it started
        if start != old_start or finish != old_finish:
            changed.append((pk, start, finish))
    _write_planned(changed)
    unscheduled_by_order: dict[int, int] = defaultdict(int)
    order_of = {r[0]: r[1] for r in rows}
    for task_id in result.unscheduled:
        unscheduled_by_order[order_of[task_id]] += 1
    stamp = timezone.now()
    plans = []
    at_risk = 0
    tz = timezone.get_current_timezone()
    for order_id, finish in result.order_finish.items():
        due = due_by_order[order_id]
        risky = finish is None or timezone.localtime(finish, tz).date() > due
        at_risk += risky
        plans.append(
            ProductionPlan(
                order_id=order_id, projected_finish=finish, at_risk=risky,
                unscheduled_tasks=unscheduled_by_order.get(order_id, 0), computed_at=stamp,
            )
        )  # fmt: skip
    ProductionPlan.objects.exclude(
        order_id__in=Task.objects.filter(status__in=OPEN_TASK).values("order_id")
    ).delete()
    ProductionPlan.objects.bulk_create(
        plans,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["order"],
        update_fields=["projected_finish", "at_risk", "unscheduled_tasks", "computed_at"],
    )
    LineLoad.objects.all().delete()
    LineLoad.objects.bulk_create(
        [
            LineLoad(
                work_center_id=line_id, day=day,
                planned_hours=(Decimal(minutes) / 60).quantize(Decimal("0.001")),
            )
            for (line_id, day), minutes in result.load.items()
        ],
        batch_size=1000,
    )  # fmt: skip
    return {
        "tasks": len(items),
        "scheduled": len(result.start),
        "unscheduled": len(result.unscheduled),
        "changed": len(changed),
        "at_risk": at_risk,
        "seconds": round(time.perf_counter() - began, 3),
    }


# --- approved order changes -----------------------------------------------------------------------


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
    ops = defaultdict(dict)
    for op in Operation.objects.filter(
        routing__material_id__in={ln.material_id for ln in lines.values()}
    ).select_related("routing"):
        ops[op.routing.material_id][op.sequence] = op
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
            hours = op.setup_hours + line.quantity * op.run_hours_per_unit
            task.estimated_hours = min(hours.quantize(Decimal("0.001")), MAX_HOURS * 100)
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
