from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The stored answer to a POST that carried an Idempotency-Key.

    Written in the same transaction as the work it records, so a retry after a crash either finds
    the answer (the work happened) or finds nothing (it did not) — never half of it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_unique")
        ]


class RunAttempt(models.Model):
    """A background task that has started and not yet ended (see ``zhongshu.core.poison``).

    Written and committed before the task runs and deleted when it ends, normally or with an
    exception; a row that survives means the process running it died. The count goes up across
    re-queues of the same work (same task and arguments), so work that kills its runner every time
    is recognised and stopped instead of crashing the worker in a loop."""

    key = models.CharField(max_length=255, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} ×{self.attempts}"
