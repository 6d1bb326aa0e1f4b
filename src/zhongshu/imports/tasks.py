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
