from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "zhongshu.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self):
        from zhongshu.core import jobs, syncs

        from . import hooks  # noqa: F401  (registers the ship listeners)
        from .logistics import deliver_job
        from .sync import command_sync, sync_due

        jobs.register("channels.sync", sync_due, seconds=60)
        jobs.register("channels.logistics", deliver_job, seconds=60)
        for kind, shop in (("taobao", "Taobao"), ("douyin", "Douyin")):
            syncs.register(
                kind,
                lambda kind=kind: command_sync(kind),
                help=f"one pull of every active {shop} shop",
            )
