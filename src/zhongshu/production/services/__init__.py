"""Production use cases: lines, calendars, routings, BOMs, task sheets, the floor, scheduling.

Every function checks permissions first and is one transaction. ``actor=None`` is the system
(order hooks, seeding, the scheduler after a commit).
"""

from ._common import (
    MAX_BOM_LINES,
    MAX_HOURS,
    MAX_OPERATIONS,
    User,
    log,
)
from .floor import (
    planned_quantity,
    scrap_threshold,
    task_finish,
    task_finish_undo,
    task_pause,
    task_resume,
    undo_deadline,
)
from .lines import (
    calendar_exception_delete,
    calendar_exception_set,
    line_calendars,
    work_center_create,
    work_center_update,
)
from .reflow import (
    projected_finishes,
    queue_reflow,
    redo_lost_reflows,
    reflows_diverted,
    request_reflow,
    schedule_updating,
)
from .routings import (
    bom_cycle,
    bom_errors,
    bom_set,
    missing_routings,
    routing_errors,
    routing_set,
)
from .schedule import (
    reschedule,
)
from .sheets import (
    cancel_tasks,
    close_open_tasks,
    create_sheets,
    lines_with_started_work,
    sheets_follow_order,
    start_first_tasks,
)
from .tasks import (
    STARTABLE_ORDER,
    add_rework_task,
    rework_line_choice,
    task_assign,
    task_pin,
    task_start,
)

__all__ = [
    "MAX_BOM_LINES",
    "MAX_HOURS",
    "MAX_OPERATIONS",
    "STARTABLE_ORDER",
    "User",
    "add_rework_task",
    "bom_cycle",
    "bom_errors",
    "bom_set",
    "calendar_exception_delete",
    "calendar_exception_set",
    "cancel_tasks",
    "close_open_tasks",
    "create_sheets",
    "line_calendars",
    "lines_with_started_work",
    "log",
    "missing_routings",
    "planned_quantity",
    "projected_finishes",
    "queue_reflow",
    "redo_lost_reflows",
    "reflows_diverted",
    "request_reflow",
    "reschedule",
    "rework_line_choice",
    "routing_errors",
    "routing_set",
    "schedule_updating",
    "scrap_threshold",
    "sheets_follow_order",
    "start_first_tasks",
    "task_assign",
    "task_finish",
    "task_finish_undo",
    "task_pause",
    "task_pin",
    "task_resume",
    "task_start",
    "undo_deadline",
    "work_center_create",
    "work_center_update",
]
