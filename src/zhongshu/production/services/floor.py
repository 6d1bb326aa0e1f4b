"""Reporting from the floor: finishing with good and scrap quantities, taking a finish back within
a minute, pausing with a reason and resuming.

Scrap is announced through ``core.signals.scrap_reported`` (and ``scrap_withdrawn`` on undo)
inside the transaction, so quality opens its nonconformance, and component planning adjusts,
together with the finish or not at all.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.core.actors import Actor
from zhongshu.core.signals import scrap_reported, scrap_withdrawn
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_decimal
from zhongshu.orders.statuses import OrderStatus

from ..exceptions import (
    TaskNotFinishable,
    TaskNotPaused,
    TaskPaused,
    UndoExpired,
    UndoNotPossible,
)
from ..models import OPEN_TASK, Operation, PauseReason, SheetStatus, Task, TaskSheet, TaskStatus
from ._common import MAX_HOURS, _activity, _check_version, _clean_hours, _require
from .reflow import request_reflow
from .sheets import _estimate
from .tasks import _lock_task

MAX_QTY = Decimal("99999999999")
HUNDRED = Decimal(100)


def planned_quantity(task: Task) -> Decimal:
    """The units this task is to process: what the previous finished operation of its sheet
    reported good, else the sheet's quantity."""
    prev = (
        Task.objects.filter(
            sheet_id=task.sheet_id, sequence__lt=task.sequence, status=TaskStatus.DONE
        )
        .exclude(good_quantity=None)
        .order_by("-sequence")
        .values_list("good_quantity", flat=True)
        .first()
    )
    return prev if prev is not None else task.sheet.quantity


def scrap_threshold(task: Task) -> Decimal:
    """The scrap percentage above which a nonconformance opens: the line's, else the factory's."""
    if task.work_center.scrap_nc_percent is not None:
        return task.work_center.scrap_nc_percent
    return Decimal(str(settings.SCRAP_NC_PERCENT))


def _clean_quantities(task: Task, good: Any, scrap: Any) -> tuple[Decimal, Decimal]:
    errors = Errors()
    limits: dict[str, Any] = {"places": 3, "min_value": Decimal(0), "max_value": MAX_QTY}
    good_q: Decimal | None
    scrap_q = (
        Decimal(0)
        if scrap in (None, "")
        else clean_decimal(errors, "scrap_quantity", scrap, **limits)
    )
    if good in (None, ""):
        good_q = max(planned_quantity(task) - (scrap_q or 0), Decimal(0))
    else:
        good_q = clean_decimal(errors, "good_quantity", good, **limits)
    errors.raise_if_any()
    assert good_q is not None and scrap_q is not None
    if good_q + scrap_q <= 0:
        errors.add("good_quantity", _("Report at least one good or scrapped unit."))
        errors.raise_if_any()
    return good_q, scrap_q


def _reestimate_after(task: Task, quantity: Decimal) -> None:
    """The sheet's later pending operations only process ``quantity`` units: their estimated
    hours follow, and the schedule (line load) with them after the reflow."""
    later = list(
        Task.objects.filter(
            sheet_id=task.sheet_id, sequence__gt=task.sequence, status=TaskStatus.PENDING,
            is_rework=False,
        )
    )  # fmt: skip
    if not later:
        return
    ops = {
        op.sequence: op
        for op in Operation.objects.filter(routing__material_id=task.sheet.material_id)
    }
    changed = []
    for later_task in later:
        op = ops.get(later_task.sequence)
        if op is not None:
            later_task.estimated_hours = _estimate(op, quantity)
            changed.append(later_task)
    Task.objects.bulk_update(changed, ["estimated_hours"])


def _scrap_args(actor: Actor, task: Task) -> dict[str, Any]:
    threshold = scrap_threshold(task)
    scrap = task.scrap_quantity or Decimal(0)
    total = scrap + (task.good_quantity or Decimal(0))
    return {
        "actor": actor,
        "task_id": task.pk,
        "order_id": task.order_id,
        "order_line_id": task.sheet.order_line_id,
        "material_id": task.sheet.material_id,
        "scrap_quantity": scrap,
        "good_quantity": task.good_quantity or Decimal(0),
        "threshold_percent": threshold,
        "over_threshold": total > 0 and scrap * HUNDRED / total > threshold,
    }


@transaction.atomic
def task_finish(
    *,
    actor: Actor,
    task_id: Any,
    actual_hours: Any = None,
    good_quantity: Any = None,
    scrap_quantity: Any = None,
    version: Any = None,
) -> Task:
    """Finish a task in progress with the good and scrapped quantities (good defaults to the
    planned quantity less the scrap). Scrap is announced (``scrap_reported``); the sheet's later
    operations are re-estimated for the good units; when no task of the order is open any more,
    the order moves to awaiting QC."""
    _require(actor, "production.work")
    task = _lock_task(actor, task_id)
    _require(actor, "production.work", task)
    _check_version(task, version)
    if task.status != TaskStatus.IN_PROGRESS:
        raise TaskNotFinishable(details={"status": task.status})
    if task.paused_at is not None:
        raise TaskPaused(details={"reason": task.pause_reason})
    errors = Errors()
    hours = None
    if actual_hours not in (None, ""):
        hours = _clean_hours(errors, "actual_hours", actual_hours)
    errors.raise_if_any()
    good, scrap = _clean_quantities(task, good_quantity, scrap_quantity)
    now = timezone.now()
    if hours is None and task.actual_start:
        hours = Decimal(str(round((now - task.actual_start).total_seconds() / 3600, 3)))
    task.status = TaskStatus.DONE
    task.actual_end = now
    task.actual_hours = min(hours, MAX_HOURS) if hours is not None else None
    task.good_quantity, task.scrap_quantity = good, scrap
    task.version += 1
    task.save(
        update_fields=[
            "status", "actual_end", "actual_hours", "good_quantity", "scrap_quantity",
            "version", "updated_at",
        ]
    )  # fmt: skip
    _reestimate_after(task, good)
    if scrap > 0:
        scrap_reported.send(sender=Task, **_scrap_args(actor, task))
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


def undo_deadline(task: Task) -> dt.datetime | None:
    if task.status != TaskStatus.DONE or task.actual_end is None:
        return None
    return task.actual_end + dt.timedelta(seconds=settings.TASK_UNDO_SECONDS)


@transaction.atomic
def task_finish_undo(*, actor: Actor, task_id: Any) -> Task:
    """Take a finish back within a minute: the task is in progress again with nothing reported.
    Refused once the minute is over, once the next operation started or the order moved on to
    QC (QC sends it back with a rework instead)."""
    _require(actor, "production.work")
    task = _lock_task(actor, task_id)
    _require(actor, "production.work", task)
    deadline = undo_deadline(task)
    if deadline is None:
        raise UndoNotPossible(details={"status": task.status})
    if timezone.now() > deadline:
        raise UndoExpired(details={"deadline": deadline.isoformat()})
    if task.order.status != OrderStatus.IN_PRODUCTION or (
        Task.objects.filter(sheet_id=task.sheet_id, sequence__gt=task.sequence)
        .exclude(status__in=(TaskStatus.PENDING, TaskStatus.CANCELLED))
        .exists()
    ):
        raise UndoNotPossible(details={"order_status": task.order.status})
    withdrawn = _scrap_args(actor, task) if task.scrap_quantity else None
    task.status = TaskStatus.IN_PROGRESS
    task.actual_end = None
    task.actual_hours = None
    task.good_quantity = task.scrap_quantity = None
    task.version += 1
    task.save(
        update_fields=[
            "status", "actual_end", "actual_hours", "good_quantity", "scrap_quantity",
            "version", "updated_at",
        ]
    )  # fmt: skip
    _reestimate_after(task, planned_quantity(task))
    TaskSheet.objects.filter(pk=task.sheet_id).update(status=SheetStatus.OPEN)
    if withdrawn is not None:
        scrap_withdrawn.send(sender=Task, **withdrawn)
    _activity(actor, "task.finish_undone", task)
    request_reflow()
    return task


@transaction.atomic
def task_pause(
    *, actor: Actor, task_id: Any, reason: Any, note: Any = "", version: Any = None
) -> Task:
    """Pause a task in progress with a reason (machine down, material missing, other with a
    note). It stays in progress and shows as paused on the kanban and the dashboard."""
    _require(actor, "production.work")
    task = _lock_task(actor, task_id)
    _require(actor, "production.work", task)
    _check_version(task, version)
    if task.status != TaskStatus.IN_PROGRESS:
        raise TaskNotFinishable(
            _("Only a task in progress can be paused."), details={"status": task.status}
        )
    if task.paused_at is not None:
        raise TaskPaused(_("This task is already paused."), details={"reason": task.pause_reason})
    errors = Errors()
    reason = normalize_text(str(reason or ""))
    note = normalize_text(str(note or ""))
    if reason not in PauseReason.values:
        errors.add("reason", _("Choose a reason: machine down, material missing or other."))
    elif reason == PauseReason.OTHER and not note:
        errors.add("note", _("Say why the task is paused."))
    if len(note) > 200:
        errors.add("note", _("At most %(n)d characters.") % {"n": 200})
    errors.raise_if_any()
    task.paused_at = timezone.now()
    task.pause_reason = reason
    task.pause_note = note
    task.version += 1
    task.save(update_fields=["paused_at", "pause_reason", "pause_note", "version", "updated_at"])
    _activity(actor, "task.paused", task)
    return task


@transaction.atomic
def task_resume(*, actor: Actor, task_id: Any, version: Any = None) -> Task:
    """Resume a paused task."""
    _require(actor, "production.work")
    task = _lock_task(actor, task_id)
    _require(actor, "production.work", task)
    _check_version(task, version)
    if task.paused_at is None:
        raise TaskNotPaused()
    task.paused_at = None
    task.pause_reason = ""
    task.pause_note = ""
    task.version += 1
    task.save(update_fields=["paused_at", "pause_reason", "pause_note", "version", "updated_at"])
    _activity(actor, "task.resumed", task)
    request_reflow()
    return task
