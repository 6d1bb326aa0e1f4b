from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "zhongshu.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from zhongshu.core import jobs

        from . import checks, conf  # noqa: F401  (registers the startup check)
        from .delivery import deliver_job

        jobs.register("notify.deliver", deliver_job, seconds=conf.get("NOTIFY_DELIVER_EVERY"))
