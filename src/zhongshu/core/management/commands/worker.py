"""``zhongshu worker``: background tasks and periodic jobs in one process.

* Tasks: django-tasks' database queue, run by django-tasks-db's own ``Worker`` loop (all queues).
* Periodic jobs: everything registered in ``zhongshu.core.jobs`` (outbox delivery, rule scans,
  T+ sync …), on an APScheduler ``BackgroundScheduler`` — one instance of a job at a time per
  process, missed runs coalesced. Jobs tolerate running in several workers at once, so start as
  many workers as you like.
* SIGTERM/SIGINT: stop taking tasks, let the running task and jobs finish, exit.
* ``--once``: run every job once and every task that is due, then exit (tests, cron).
"""

import datetime as dt
import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from zhongshu.core import jobs, poison

log = logging.getLogger("zhongshu.worker")


class Command(BaseCommand):
    help = "Run background tasks and periodic jobs (outbox delivery, rule scans, syncs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="run each periodic job once and the due tasks, then exit",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between looks at the task queue when it is empty",
        )
        parser.add_argument("--no-jobs", action="store_true", help="run tasks only")
        parser.add_argument("--no-tasks", action="store_true", help="run periodic jobs only")
        parser.add_argument("--worker-id", default="", help="unique name (default: random)")

    def handle(self, *args: Any, **opts: Any) -> None:
        worker_id = opts["worker_id"] or get_random_string(32)
        if opts["once"]:
            self._once(worker_id, opts)
            return
        scheduler = None if opts["no_jobs"] else self._scheduler()
        names = ", ".join(j.name for j in jobs.registered())
        self.stdout.write(f"worker {worker_id} started; jobs: {names or '-'}")
        self.stdout.flush()
        try:
            if opts["no_tasks"]:
                self._wait_for_signal()
            else:
                worker = _worker(worker_id, interval=opts["interval"], batch=False)
                worker.configure_signals()
                worker.run()
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=True)  # lets a running delivery batch finish
            self.stdout.write("worker stopped")

    def _once(self, worker_id: str, opts: dict[str, Any]) -> None:
        if not opts["no_jobs"]:
            for job in jobs.registered():
                result = jobs.run(job)
                self.stdout.write(f"{job.name}: {result}")
        if not opts["no_tasks"]:
            _worker(worker_id, interval=0, batch=True).run()

    def _scheduler(self) -> Any:  # an apscheduler BackgroundScheduler (untyped)
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        registered = jobs.registered()
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max(1, min(len(registered), 4)))},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        for job in registered:
            scheduler.add_job(
                jobs.run,
                "interval",
                args=[job],
                seconds=job.seconds,
                id=job.name,
                name=job.name,
                misfire_grace_time=max(1, job.seconds),
                # the first run right away, spread a little so several workers do not align
                jitter=min(job.seconds, 5) / 2,
            )
        scheduler.start()
        for job in registered:  # and run each one now rather than after its first interval
            scheduler.modify_job(job.name, next_run_time=_now())
        return scheduler

    def _wait_for_signal(self) -> None:
        stop = threading.Event()

        def handler(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)
        while not stop.wait(0.5):
            pass


def _now() -> dt.datetime:
    return timezone.now()


class GuardedWorker(Worker):
    """django-tasks-db's worker with poison handling (``zhongshu.core.poison``): a task whose
    earlier runs killed the worker ``TASK_MAX_CRASHES`` times is failed, not run again."""

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        path, args_kwargs = db_task_result.task_path, db_task_result.args_kwargs or {}
        args, kwargs = args_kwargs.get("args", []), args_kwargs.get("kwargs", {})
        key = poison.task_key(path, args, kwargs)
        crashes = poison.crashed_runs(key)
        if crashes >= poison.max_crashes():
            db_task_result.set_failed(poison.refuse(path, args, kwargs, crashes))
            poison.end(key)
            self._run_tasks += 1
            return
        poison.begin(key)
        try:
            super().run_task(db_task_result)
        finally:
            poison.end(key)


def _worker(worker_id: str, *, interval: float, batch: bool) -> Worker:
    return GuardedWorker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id[:64],
        excluded_queue_names=[],
    )
