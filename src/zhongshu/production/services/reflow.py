"""One reschedule after the commit that asked for it, however many changes ask."""

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator

from django.db import connection, transaction
from django.utils import timezone

from ._common import log


class _Reflow:
    """One pending reschedule, run after the transaction that asked for it commits."""

    done = False

    def __call__(self) -> None:
        self.done = True
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
