"""Periodic jobs: apps register them (in their AppConfig.ready), ``zhongshu worker`` runs them.

    from zhongshu.core import jobs
    jobs.register("rules.scan", scan_scheduled_rules, seconds=60)

A job is a plain callable without arguments. It must be safe to run twice at the same moment (several
workers may run) and must do a bounded amount of work per call.
"""

from collections.abc import Callable
from dataclasses import dataclass


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
