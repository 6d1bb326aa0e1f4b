"""One reschedule after the commit that asked for it, however many changes ask.

Where it runs is ``settings.PRODUCTION_REFLOW``: "inline" reschedules right after the commit, in
the request; "worker" (what ``zhongshu serve`` uses) queues one ``tasks.reflow_schedule`` for
``zhongshu worker`` unless one is already waiting, so a burst of confirmations costs one reflow,
and the request only pays for one indexed look-up. Until it has run, ``schedule_updating`` says
the projected dates are being updated. A run lost with its worker (still "running" after
``STUCK_AFTER``) is queued again by the ``production.reflow_lost`` job; a reflow plans everything
from scratch, so running one twice changes nothing.
"""

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ._common import log

QUEUE_DELAY = dt.timedelta(seconds=1)  # the confirmations of this second share the reflow
STUCK_AFTER = dt.timedelta(minutes=10)  # a reflow takes seconds; running longer: its worker died


class _Reflow:
    """One pending reschedule, run after the transaction that asked for it commits."""

    done = False

    def __call__(self) -> None:
        self.done = True
        if getattr(settings, "PRODUCTION_REFLOW", "inline") == "worker":
            try:
                queue_reflow()
            except Exception:  # the change is committed; the next change or the job queues one
                log.exception("queueing the production reflow failed")
            return
        from .schedule import reschedule  # the scheduler needs the lines, which ask for reflows

        try:
            reschedule(actor=None)
        except Exception:  # a failed reflow must not turn a committed change into an error
            log.exception("production reschedule failed")


# Where reflow requests go instead of the scheduler while a caller holds ``reflows_diverted``
# (the factory simulation lets its planner reschedule at a planner's pace).
_diverted: list[Callable[[], None]] = []


@contextlib.contextmanager
def reflows_diverted(to: Callable[[], None]) -> Iterator[None]:
    """Send every reflow request made inside the block to ``to`` instead of rescheduling."""
    _diverted.append(to)
    try:
        yield
    finally:
        _diverted.remove(to)


def request_reflow() -> None:
    """Reschedule once after the current transaction commits (however many changes ask)."""
    if _diverted:
        _diverted[-1]()
        return
    if connection.in_atomic_block and any(
        isinstance(item[1], _Reflow) and not item[1].done for item in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Reflow())


def _reflows():
    from django_tasks_db.models import DBTaskResult

    from ..tasks import reflow_schedule

    return DBTaskResult.objects.filter(task_path=reflow_schedule.module_path)


def queue_reflow() -> bool:
    """Queue one reflow for the worker unless one is already waiting to run (then it covers this
    change too: it reads everything committed when it starts). True when one was queued."""
    from ..tasks import reflow_schedule

    if _reflows().filter(status="READY").exists():
        return False
    reflow_schedule.using(run_after=timezone.now() + QUEUE_DELAY).enqueue()
    return True


def schedule_updating() -> bool:
    """Whether a reflow is waiting or running: the projected dates are about to change. Inline
    reflows finish before the answer, so a page asks the task table only in worker mode."""
    if getattr(settings, "PRODUCTION_REFLOW", "inline") != "worker":
        return False
    since = timezone.now() - STUCK_AFTER
    return (
        _reflows().filter(Q(status="READY") | Q(status="RUNNING", started_at__gte=since)).exists()
    )


def redo_lost_reflows() -> int:
    """The periodic job: a reflow still "running" after ``STUCK_AFTER`` lost its worker; it is
    marked failed and one reflow is queued in its place (none when one is already waiting)."""
    lost = _reflows().filter(status="RUNNING", started_at__lt=timezone.now() - STUCK_AFTER)
    n = lost.update(status="FAILED", finished_at=timezone.now())
    if n:
        queue_reflow()
    return n


def projected_finishes(
    *, overrides: dict[int, dict] | None = None, now: dt.datetime | None = None
) -> dict[int, dt.datetime | None]:
    """Each open order's projected finish as the scheduler would plan it now, from what the
    current transaction sees — nothing is written. ``overrides``: order id → {"priority",
    "due_date"} to plan as if they were already changed (the preview of a pending rush).

    Reading it before and after a change in the same transaction tells which orders the change
    moves; the stored plan follows at the reflow after commit (same scheduler, same inputs)."""
    from .. import scheduler
    from ..calendar import hours_to_minutes
    from ..models import OPEN_TASK, Task, TaskStatus, WorkCenter
    from .lines import line_calendars

    now = now or timezone.localtime()
    overrides = overrides or {}
    rows = Task.objects.filter(status__in=OPEN_TASK).values_list(
        "pk", "order_id", "sheet_id", "sequence", "work_center_id", "pinned_work_center_id",
        "estimated_hours", "status", "pinned_date", "order__priority", "order__due_date",
    )  # fmt: skip
    items = []
    for pk, order_id, sheet_id, seq, wc, pinned_wc, hours, status, pinned, prio, due in rows:
        changed = overrides.get(order_id, {})
        items.append(
            scheduler.TaskIn(
                id=pk, order_id=order_id, sheet_id=sheet_id, sequence=seq,
                line_id=pinned_wc or wc, minutes=hours_to_minutes(hours),
                priority=changed.get("priority") or prio, due=changed.get("due_date") or due,
                in_progress=status == TaskStatus.IN_PROGRESS, pinned_date=pinned,
            )
        )  # fmt: skip
    if not items:
        return {}
    cals = line_calendars(list(WorkCenter.objects.all()), since=now.date())
    return dict(scheduler.schedule(items, cals, now=now).order_finish)
