"""Background work of production (run by ``zhongshu worker``)."""

from django_tasks import task


@task()
def reflow_schedule() -> None:
    """Plan every open task again: the reflow queued by ``request_reflow`` when reflows run on the
    worker (``settings.PRODUCTION_REFLOW == "worker"``), one for however many changes asked."""
    from .services.schedule import reschedule

    reschedule(actor=None)
