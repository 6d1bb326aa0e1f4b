"""Periodic jobs: apps register them (in their AppConfig.ready), ``zhongshu worker`` runs them.

    from zhongshu.core import jobs
    jobs.register("rules.scan", scan_scheduled_rules, seconds=60)

A job is a plain callable without arguments. It must be safe to run twice at the same moment (several
workers may run) and must do a bounded amount of work per call.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections

from .signals import work_finished

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], object]
    seconds: int


_jobs: dict[str, Job] = {}


def register(name: str, func: Callable[[], object], *, seconds: int) -> Job:
    if seconds < 1:
        raise ValueError("a periodic job runs at most once a second")
    job = Job(name=name, func=func, seconds=seconds)
    _jobs[name] = job
    return job


def registered() -> list[Job]:
    return sorted(_jobs.values(), key=lambda j: j.name)


def run(job: Job) -> object:
    """Run one job the way the worker does: fresh database connections around it, and an
    exception logged rather than raised (the next run tries again)."""
    close_old_connections()
    try:
        return job.func()
    except Exception:
        log.exception("periodic job %s failed", job.name)
        return None
    finally:
        try:
            work_finished.send(sender=Job)
        except Exception:
            log.exception("work_finished receivers failed after job %s", job.name)
        close_old_connections()
