"""Scheduling: plan every open task again and store the plan."""

import datetime as dt
import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from zhongshu.core.actors import Actor

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

# session-private staging table of the planned dates to write (rows go at commit)
STAGE = "zs_planned_stage"


def _write_planned(changed: list[tuple[int, Any, Any]]) -> None:
    """Write planned start/finish of many tasks in one set-based statement: the (id, start,
    finish) rows go into a temporary table (``COPY`` on PostgreSQL, one ``executemany`` on
    SQLite), then one ``UPDATE … FROM`` joins it. (``bulk_update`` builds CASE expressions that
    cost many seconds of Python for 20,000 rows.)"""
    if not changed:
        return
    table = connection.ops.quote_name(Task._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _stage_postgresql(cursor, changed)
        else:
            _stage_sqlite(cursor, changed)
        cursor.execute(
            f"UPDATE {table} SET planned_start = v.s, planned_finish = v.f "
            f"FROM {STAGE} AS v WHERE {table}.id = v.id"
        )
        cursor.execute(f"DELETE FROM {STAGE}")


def _stage_postgresql(cursor, changed: list[tuple[int, Any, Any]]) -> None:
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} "
        "(id bigint NOT NULL, s timestamptz, f timestamptz) ON COMMIT DELETE ROWS"
    )
    cursor.execute(f"TRUNCATE {STAGE}")
    with cursor.cursor.copy(f"COPY {STAGE} (id, s, f) FROM STDIN") as copy:
        for row in changed:
            copy.write_row(row)
    cursor.execute(f"ANALYZE {STAGE}")


def _stage_sqlite(cursor, changed: list[tuple[int, Any, Any]]) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} (id integer PRIMARY KEY, s text, f text)"
    )
    cursor.execute(f"DELETE FROM {STAGE}")
    cursor.executemany(
        f"INSERT INTO {STAGE} (id, s, f) VALUES (%s, %s, %s)",
        [(pk, adapt(start), adapt(finish)) for pk, start, finish in changed],
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
def reschedule(*, actor: Actor | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
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
