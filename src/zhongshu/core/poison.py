"""Poison handling for background work: a task whose run killed the worker twice is not run a third
time; it is marked failed with the reason, and its owner is told (``on_poison``).

Every task the worker runs goes through ``guard`` (see ``zhongshu.worker``): before the task starts,
a ``RunAttempt`` row keyed by the task's path and arguments is counted up and committed; when the
task returns or raises, the row is deleted. Only a run that never got to the end — the process was
killed by an abort, the out-of-memory killer or ``kill -9`` — leaves the row behind, so the count is
the number of crashed runs of the same work, however often it was re-queued.

``reap_running`` (a periodic job) fails task results left "running" by a worker that died: they
would otherwise stay "running" for ever.
"""

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import RunAttempt

log = logging.getLogger(__name__)

# task path -> handler(args, kwargs, reason): marks the work's own record failed
_handlers: dict[str, Callable[[list[Any], dict[str, Any], str], None]] = {}


class WorkerDied(Exception):
    """Recorded as the exception of a task whose worker stopped while running it."""


class Poisoned(Exception):
    """Recorded as the exception of a task that is not run again (it crashed its runner)."""


def max_crashes() -> int:
    return int(getattr(settings, "TASK_MAX_CRASHES", 2))


def on_poison(task_path: str, handler: Callable[[list[Any], dict[str, Any], str], None]) -> None:
    _handlers[task_path] = handler


def task_key(task_path: str, args: list[Any], kwargs: dict[str, Any]) -> str:
    key = f"{task_path}:{json.dumps([args, kwargs], sort_keys=True, default=str)}"
    return key[:255]


def crashed_runs(key: str) -> int:
    return RunAttempt.objects.filter(key=key).values_list("attempts", flat=True).first() or 0


def begin(key: str) -> int:
    """Count one more start of ``key`` (committed at once); returns the crashed runs before it."""
    with transaction.atomic():
        updated = RunAttempt.objects.filter(key=key).update(
            attempts=F("attempts") + 1, started_at=timezone.now()
        )
        if not updated:
            try:
                with transaction.atomic():
                    RunAttempt.objects.create(key=key, attempts=1, started_at=timezone.now())
            except IntegrityError:  # another worker started the same work at the same moment
                RunAttempt.objects.filter(key=key).update(attempts=F("attempts") + 1)
    return crashed_runs(key) - 1


def end(key: str) -> None:
    RunAttempt.objects.filter(key=key).delete()


def poison_reason(crashes: int) -> str:
    return _(
        "Stopped after %(n)s attempts: the background worker ended abnormally (out of memory or "
        "killed) each time it ran this work, so it is not run again."
    ) % {"n": crashes}


def refuse(task_path: str, args: list[Any], kwargs: dict[str, Any], crashes: int) -> Poisoned:
    """Tell the work's owner that it will not run again; returns the exception to record."""
    reason = poison_reason(crashes)
    handler = _handlers.get(task_path)
    if handler is not None:
        try:
            handler(args, kwargs, reason)
        except Exception:
            log.exception("poison handler for %s failed", task_path)
    log.error("task %s %s %s not run again: %s", task_path, args, kwargs, reason)
    return Poisoned(reason)


def reap_running() -> int:
    """Periodic job: task results "running" for longer than TASK_RUNNING_TIMEOUT seconds were left
    by a worker that died (a task bounds its own work per run) — mark them failed."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - dt.timedelta(
        seconds=int(getattr(settings, "TASK_RUNNING_TIMEOUT", 3600))
    )
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    return stale.update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
        traceback=_("The worker stopped while running this task."),
    )
