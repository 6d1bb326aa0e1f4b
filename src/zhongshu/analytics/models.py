"""Activity counters: one row per (user, day, kind), incremented with one atomic upsert.

The weekly activity leaderboard and the daily-active ratio (SPEC §9) read these rows instead of
scanning logs: a week of a 200-person company is at most a few thousand rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DailyActivity(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=40)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("daily activity")
        ordering = ["-day", "user", "kind"]
        constraints = [
            # the conflict target of the upsert in activity.record
            models.UniqueConstraint(fields=["user", "day", "kind"], name="dailyactivity_unique"),
            models.CheckConstraint(condition=Q(count__gte=0), name="dailyactivity_count_nonneg"),
        ]
        indexes = [models.Index(fields=["day", "user"], name="dailyactivity_day_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} {self.kind}={self.count}"
