"""Scheduling: plan every open task again and store the plan."""

import datetime as dt
import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .. import scheduler
from ..calendar import hours_to_minutes
from ..models import (
    OPEN_TASK,
    LineLoad,
    ProductionPlan,
    Task,
    TaskStatus,
    WorkCenter,
)
from ._common import _require
from .lines import line_calendars

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


def _changed_dates(rows: list[tuple], result: scheduler.Result) -> list[tuple[int, Any, Any]]:
    """(task id, start, finish) of every task whose planned dates moved."""
    changed = []
    for pk, *_x, actual_start, old_start, old_finish, _p, _d in rows:
        start = result.start.get(pk)
        finish = result.finish.get(pk)
        if actual_start is not None and start is not None:
            start = actual_start  # what is running started when it started
        if start != old_start or finish != old_finish:
            changed.append((pk, start, finish))
    return changed


def _store_plans(rows: list[tuple], result: scheduler.Result) -> int:
    """Each order's projected finish and at-risk flag; returns how many orders are at risk."""
    due_by_order = {r[1]: r[13] for r in rows}
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
    return at_risk


def _store_load(result: scheduler.Result) -> None:
    """The planned hours per line and day, replacing the last run's."""
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
    changed = _changed_dates(rows, result)
    _write_planned(changed)
    at_risk = _store_plans(rows, result)
    _store_load(result)
    return {
        "tasks": len(items),
        "scheduled": len(result.start),
        "unscheduled": len(result.unscheduled),
        "changed": len(changed),
        "at_risk": at_risk,
        "seconds": round(time.perf_counter() - began, 3),
    }
