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
    from .services import fail_batch

    batch_id = args[0] if args else kwargs.get("batch_id")
    if batch_id is None:  # a call without its batch: nothing to fail
        return
    fail_batch(batch_id=batch_id, message=reason)
