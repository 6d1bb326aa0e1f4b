"""Background work for large files (run by ``zhongshu worker``)."""

from django_tasks import task


@task()
def validate_import(batch_id: int) -> None:
    from .services import validate_batch

    validate_batch(batch_id)


@task()
def commit_import(batch_id: int) -> None:
    from .services import run_commit

    run_commit(batch_id)


def _poisoned(args: list, kwargs: dict, reason: str) -> None:
    """A batch whose file crashed the worker twice is failed with the reason, not re-queued."""
    from django.utils import timezone

    from .models import BatchStatus, ImportBatch

    batch_id = args[0] if args else kwargs.get("batch_id")
    ImportBatch.objects.filter(pk=batch_id).exclude(
        status__in=(BatchStatus.COMMITTED, BatchStatus.CANCELLED)
    ).update(status=BatchStatus.FAILED, message=reason, updated_at=timezone.now())
