from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "zhongshu.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from zhongshu.core import jobs

        from . import hooks  # noqa: F401  (registers the order transition effects)

        jobs.register("inventory.tplus_sync", _scheduled_tplus_sync, seconds=TPLUS_SYNC_EVERY)


TPLUS_SYNC_EVERY = 900  # seconds between full T+ syncs run by `zhongshu worker`


def _scheduled_tplus_sync():
    from . import tplus

    if not tplus.configured():
        return None  # stock is managed locally only
    return tplus.tplus_sync()
