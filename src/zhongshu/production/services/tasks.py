"""The floor: starting, finishing, assigning and pinning tasks; rework."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound, ValidationFailed
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors
from zhongshu.orders.models import Order
from zhongshu.orders.statuses import OrderStatus

from ..exceptions import (
    OrderNotInProduction,
    PredecessorNotDone,
    TaskClosed,
    TaskNotStartable,
)
from ..models import (
    OPEN_TASK,
    SheetStatus,
    Task,
    TaskSheet,
    TaskStatus,
    WorkCenter,
)
from ._common import User, _activity, _check_version, _clean_date, _require
from .reflow import request_reflow


def _scoped_tasks(actor: Actor | None):
    qs = Task.objects.all()
    if actor is None:
        return qs
    permissions.require(actor, "production.view")
    q = permissions.task_scope_q(actor)
    return qs if q is None else qs.filter(q)


def _lock_task(actor: Actor, task_id: Any) -> Task:
    """The task in the actor's scope (404 otherwise), its order locked first (orders before
    tasks, always) so two tasks of one order finishing together see each other."""
    task = permissions.get_in_scope(_scoped_tasks(actor).only("pk", "order_id"), pk=task_id)
    Order.objects.select_for_update().filter(pk=task.order_id).first()
    locked = (
        Task.objects.select_for_update(of=("self",))
        .select_related("work_center", "sheet", "order")
        .get(pk=task.pk)
    )
    if actor is not None:
        locked._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    return locked


def _predecessor(task: Task) -> Task | None:
    return (
        Task.objects.filter(sheet_id=task.sheet_id, sequence__lt=task.sequence)
        .exclude(status=TaskStatus.CANCELLED)
        .order_by("-sequence")
        .first()
    )


STARTABLE_ORDER = {OrderStatus.CONFIRMED, OrderStatus.SCHEDULING, OrderStatus.IN_PRODUCTION}


@transaction.atomic
def task_start(*, actor: Actor, task_id: Any, version: Any = None) -> Task:
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


def _open_task_for_change(actor: Actor, task_id: Any, version: Any, action: str) -> Task:
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
def task_assign(*, actor: Actor, task_id: Any, owner_id: Any, version: Any = None) -> Task:
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
    *, actor: Actor, task_id: Any, date: Any = None, work_center_id: Any = None, version: Any = None
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
def add_rework_task(
    *,
    actor: Actor | None,
    order_id: Any,
    reason: str,
    product_id: int | None = None,
    at_sequence: int | None = None,
    line_id: int | None = None,
    repeat_following: bool = False,
) -> Task:
    """QC failed: add a pending rework task at the end of a sheet of the order.

    Where the defect was made when known: ``at_sequence`` names the operation (of the sheet of
    ``product_id``, else of the last sheet) that produces the failed characteristic, and the
    rework runs on that operation's line for its owner — or on ``line_id`` when one is chosen
    (an active line with working hours, else 422 on ``rework_line``; the operation's owner keeps
    it only when they work on that line).
    With ``repeat_following`` the operations after it are queued again behind the rework.
    Without an operation: after the last operation, on its line."""
    _require(actor, "production.rework")
    chosen = rework_line_choice(line_id)
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
    tasks = Task.objects.filter(order=order).exclude(status=TaskStatus.CANCELLED)
    if product_id is not None and tasks.filter(sheet__material_id=product_id).exists():
        tasks = tasks.filter(sheet__material_id=product_id)
    last = tasks.select_related("sheet").order_by("-sheet_id", "-sequence").first()
    if last is None:
        raise OrderNotInProduction(
            _("This order has no production task sheet to add rework to."),
            details={"order_status": order.status},
        )
    sheet_tasks = list(
        Task.objects.filter(sheet_id=last.sheet_id, is_rework=False)
        .exclude(status=TaskStatus.CANCELLED)
        .order_by("sequence")
    )
    at = next((t for t in sheet_tasks if t.sequence == at_sequence), None) or last
    following = [t for t in sheet_tasks if t.sequence > at.sequence] if repeat_following else []
    seq = Task.objects.filter(sheet_id=last.sheet_id).aggregate(m=Max("sequence"))["m"] or 0
    task = Task(
        sheet=last.sheet, order=order, sequence=seq + 10, name=_("Rework"),
        work_center_id=chosen.pk if chosen else at.line_id, owner_id=_rework_owner(at, chosen),
        estimated_hours=at.estimated_hours, is_rework=True, note=reason[:500],
    )  # fmt: skip
    task._history_user = actor  # type: ignore[attr-defined]  # the audit trail names who chose
    task.save()
    Task.objects.bulk_create(
        Task(
            sheet=last.sheet,
            order=order,
            sequence=seq + 10 * (i + 2),
            name=t.name,
            work_center_id=t.line_id,
            owner_id=t.owner_id,
            estimated_hours=t.estimated_hours,
            is_rework=True,
            note=reason[:500],
        )
        for i, t in enumerate(following)
    )
    TaskSheet.objects.filter(pk=last.sheet_id).update(status=SheetStatus.OPEN)
    request_reflow()
    return task


def rework_line_choice(value: Any) -> WorkCenter | None:
    """The line chosen for a rework (its id), ``None`` for the default one. Refused (422 on
    ``rework_line``) unless it is an active line with working hours to do it in."""
    if value in (None, ""):
        return None
    text = str(value)
    wc = (
        WorkCenter.objects.filter(pk=int(text)).first()
        if text.isdigit() and len(text) < 10
        else None
    )
    if wc is None or not wc.active:
        raise ValidationFailed({"rework_line": _("Unknown or inactive production line.")})
    if wc.hours_per_day <= 0:
        raise ValidationFailed(
            {"rework_line": _("This line has no working hours: it cannot take the rework.")}
        )
    return wc


def _rework_owner(at: Task, chosen: WorkCenter | None) -> int | None:
    """The operation's owner, unless the rework goes to a line they do not work on."""
    if chosen is None or chosen.pk == at.line_id or at.owner_id is None:
        return at.owner_id
    return at.owner_id if chosen.members.filter(pk=at.owner_id).exists() else None
