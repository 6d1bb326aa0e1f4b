"""Crash safety: the worker is killed with SIGKILL in the middle of a large commit; restarting it
finishes the batch — whole orders only at every moment, nothing created twice.

The worker is the real ``zhongshu worker`` in another process, on the same database: PostgreSQL
directly; SQLite through a database file (the in-memory test database is copied to a file for the
worker and copied back for the checks).
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.db import connection

from tests.imports.conftest import ORDER_HEADERS, future, xlsx
from zhongshu.core import jobs
from zhongshu.imports.models import BatchStatus, ImportBatch, ImportedOrder
from zhongshu.imports.services import batch_commit, batch_upload
from zhongshu.orders.models import Order, OrderEvent, OrderLine

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
ORDERS = 900
LINES = 3
WAIT = 120  # seconds; generous for a shared machine, the test normally needs a few

RESTART = """
import django
django.setup()
from django.core.management import call_command
from zhongshu.core import jobs
# what a restarted worker does: its periodic job finds the stalled batch, then it runs the task
jobs.run(next(j for j in jobs.registered() if j.name == "imports.resume_stalled"))
call_command("worker", "--once", "--no-jobs")
"""


class SharedDatabase:
    """The test database as another process sees it."""

    def __init__(self, tmp_path):
        self.sqlite = connection.vendor == "sqlite"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "zhongshu.settings",
            "IMPORT_COMMIT_CHUNK": "5",  # 5 orders per transaction: many chances to be killed
            "IMPORT_STALL_SECONDS": "0",
        }
        self.env.pop("TASKS_BACKEND", None)
        if self.sqlite:
            self.env.pop("DATABASE_URL", None)
            self.env["ZHONGSHU_DATA_DIR"] = str(tmp_path)
            self.file = tmp_path / "zhongshu.sqlite3"
        else:
            s = connection.settings_dict
            auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
            host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
            self.env["DATABASE_URL"] = f"postgres://{auth}@{host}/{s['NAME']}"

    def publish(self):
        """Before another process runs: make it see what this one wrote."""
        if self.sqlite:
            connection.ensure_connection()
            self.file.unlink(missing_ok=True)
            with sqlite3.connect(self.file) as dst:
                connection.connection.backup(dst)
            dst.close()

    def fetch(self):
        """After it ran (or was killed): see what it left."""
        if self.sqlite:
            src = sqlite3.connect(self.file)
            src.backup(connection.connection)
            src.close()

    def progress(self, batch_id) -> int:
        if self.sqlite:
            with sqlite3.connect(self.file, timeout=20) as db:
                row = db.execute(
                    "SELECT progress_done FROM imports_importbatch WHERE id = ?", (batch_id,)
                ).fetchone()
            db.close()
            return row[0]
        return ImportBatch.objects.get(pk=batch_id).progress_done

    def run(self, *args, **kwargs):
        return subprocess.Popen([sys.executable, *args], env=self.env, cwd=os.getcwd(), **kwargs)


def _assert_whole_orders():
    for o in Order.objects.prefetch_related("lines"):
        assert len(o.lines.all()) == LINES, o.number
    assert OrderEvent.objects.filter(action="created").count() == Order.objects.count()
    assert ImportedOrder.objects.count() == Order.objects.count()


def test_worker_killed_mid_commit_then_restarted_finishes_whole(world, settings, tmp_path):
    # given a validated batch of 900 orders × 3 lines, committed in the background
    settings.TASKS = DB_TASKS
    settings.IMPORT_BACKGROUND_ROWS = 100
    rows = [ORDER_HEADERS] + [
        [
            f"PO-{i // LINES}",
            "C-EAST",
            "M-001" if i % 2 else "M-002",
            i % 7 + 1,
            1,
            future(),
            "",
            "",
        ]
        for i in range(ORDERS * LINES)
    ]
    batch = batch_upload(actor=world.sales, content=xlsx(rows), name="k.xlsx", kind="orders")
    assert batch.status == BatchStatus.VALIDATED and batch.valid == ORDERS * LINES
    batch = batch_commit(actor=world.sales, batch_id=batch.pk, mode="valid_only")
    assert batch.status == BatchStatus.COMMITTING and batch.progress_done == 0
    assert Order.objects.count() == 0  # queued for the worker, nothing imported yet
    shared = SharedDatabase(tmp_path)
    shared.publish()

    # when the worker is killed after it has imported some chunks
    worker = shared.run("-m", "django", "worker", "--no-jobs", "--interval", "0.1")
    deadline = time.monotonic() + WAIT
    done = 0
    while time.monotonic() < deadline and worker.poll() is None:
        done = shared.progress(batch.pk)
        if done >= 60 * LINES:
            break
        time.sleep(0.05)
    assert worker.poll() is None, "the worker ended before it could be killed"
    assert done >= 60 * LINES, f"the worker made no progress in {WAIT}s"
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    shared.fetch()

    # then what exists is whole orders, matching the batch's own progress
    batch.refresh_from_db()
    partial = Order.objects.count()
    assert batch.status == BatchStatus.COMMITTING
    assert 0 < partial < ORDERS
    assert batch.committed == partial * LINES == OrderLine.objects.count()
    _assert_whole_orders()

    # when the worker starts again (its periodic job re-queues the stalled batch)
    assert "imports.resume_stalled" in {j.name for j in jobs.registered()}
    shared.publish()
    restart = shared.run("-c", RESTART)
    assert restart.wait(timeout=WAIT) == 0
    shared.fetch()

    # then the batch is finished: every order once, numbers unique, whole
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED, batch.message
    assert batch.committed == ORDERS * LINES and batch.created_objects == ORDERS
    assert Order.objects.count() == ORDERS
    assert OrderLine.objects.count() == ORDERS * LINES
    assert Order.objects.values("number").distinct().count() == ORDERS
    assert Order.objects.values("external_no").distinct().count() == ORDERS
    _assert_whole_orders()
