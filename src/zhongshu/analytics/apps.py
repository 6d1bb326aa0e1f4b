from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "zhongshu.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from zhongshu.approvals.selectors import waiting_count
        from zhongshu.core import jobs

        from . import receivers, sources  # noqa: F401  (receivers: the activity counters)
        from .leaderboard import weekly_message_job
        from .segments import recompute_job

        jobs.register("analytics.segments", recompute_job, seconds=600)
        jobs.register("analytics.leaderboard_message", weekly_message_job, seconds=3600)
        # the dashboard's "awaiting my approval" figure
        sources.register_awaiting_approval(waiting_count)
