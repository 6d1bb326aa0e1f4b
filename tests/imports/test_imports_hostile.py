"""A hostile spreadsheet (1.5 KB, cells A1 and XFD150000) is refused with a message, in the request
and in the background worker; a batch whose work crashed the worker twice is failed, not re-queued
for ever; task results left "running" by a dead worker are failed."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.support.sheets import hostile_xlsx
from zhongshu.core import jobs, poison
from zhongshu.core.models import RunAttempt
from zhongshu.imports import tasks
from zhongshu.imports.models import BatchStatus, ImportBatch
from zhongshu.imports.services import batch_upload

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def test_the_api_refuses_the_hostile_file_with_a_message(world, api_as):
    api = api_as(world.sales)
    resp = api.client.post(
        "/api/v1/imports",
        {"kind": "orders", "file": _upload(hostile_xlsx())},
        headers=api.headers,
    )
    assert resp.status_code in (201, 422), resp.content  # the batch exists, failed with the reason
    if resp.status_code == 422:
        assert "150,000" in resp.json()["message"]
    else:
        batch = ImportBatch.objects.get(pk=resp.json()["id"])
        assert batch.status == BatchStatus.FAILED
        assert "150,000" in batch.message


def test_the_worker_fails_a_hostile_background_batch(world, django_capture_on_commit_callbacks):
    batch, _ = _enqueued_batch(world, django_capture_on_commit_callbacks)
    assert batch.status == BatchStatus.VALIDATING
    with override_settings(TASKS=DB_TASKS):
        call_command("worker", "--once", "--no-jobs")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "150,000" in batch.message
    assert not RunAttempt.objects.exists()


def _enqueued_batch(world, on_commit):
    with override_settings(TASKS=DB_TASKS, IMPORT_BACKGROUND_BYTES=100), on_commit(execute=True):
        batch = batch_upload(
            actor=world.sales, content=hostile_xlsx(), name="h.xlsx", kind="orders"
        )
    key = poison.task_key(tasks.validate_import.module_path, [batch.pk], {})
    return batch, key


def test_work_that_crashed_the_worker_twice_is_failed_not_run_again(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    batch, key = _enqueued_batch(world, django_capture_on_commit_callbacks)
    # two runs that never ended: what a worker killed by an abort leaves behind
    poison.begin(key)
    poison.begin(key)
    ran = []
    monkeypatch.setattr("zhongshu.imports.services.validate_batch", lambda pk: ran.append(pk))
    with override_settings(TASKS=DB_TASKS):
        call_command("worker", "--once", "--no-jobs")
    assert ran == []
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "2" in batch.message and batch.message
    result = DBTaskResult.objects.get(task_path=tasks.validate_import.module_path)
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path.endswith("Poisoned")
    assert not RunAttempt.objects.filter(key=key).exists()


def test_one_crash_is_retried_and_an_exception_is_not_a_crash(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    _batch, key = _enqueued_batch(world, django_capture_on_commit_callbacks)
    poison.begin(key)  # one crashed run

    def boom(pk):
        raise RuntimeError("ordinary failure")

    monkeypatch.setattr("zhongshu.imports.services.validate_batch", boom)
    with override_settings(TASKS=DB_TASKS):
        call_command("worker", "--once", "--no-jobs")
    result = DBTaskResult.objects.get(task_path=tasks.validate_import.module_path)
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path.endswith("RuntimeError")  # it did run
    assert not RunAttempt.objects.filter(key=key).exists()


def test_a_task_left_running_by_a_dead_worker_is_failed(
    world, settings, django_capture_on_commit_callbacks
):
    _batch, _ = _enqueued_batch(world, django_capture_on_commit_callbacks)
    result = DBTaskResult.objects.get(task_path=tasks.validate_import.module_path)
    result.claim("dead-worker")
    DBTaskResult.objects.filter(pk=result.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=2)
    )
    fresh = DBTaskResult.objects.create(
        task_path=result.task_path,
        args_kwargs=result.args_kwargs,
        backend_name=result.backend_name,
        queue_name=result.queue_name,
        run_after=result.run_after,
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now(),
    )
    settings.TASK_RUNNING_TIMEOUT = 3600
    assert "core.reap_running_tasks" in {j.name for j in jobs.registered()}
    assert poison.reap_running() == 1
    result.refresh_from_db()
    fresh.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path.endswith("WorkerDied")
    assert fresh.status == TaskResultStatus.RUNNING  # a live one is left alone


def _upload(content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("h.xlsx", content)


# the worker closes its database connections around each task, as in production: on PostgreSQL
# that needs a real transaction per test
pytestmark = pytest.mark.django_db(transaction=True)
