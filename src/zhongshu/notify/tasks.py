"""Background tasks of the outbox. They only speed delivery up: the periodic ``notify.deliver``
job delivers everything anyway, so a task lost with a killed worker loses nothing."""

from django_tasks import task

from .delivery import deliver_due


@task()
def deliver_outbox() -> dict:
    """Deliver what is due now (enqueued after an admin retries a message)."""
    return deliver_due()
