from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import TplusSync
    from .posting import DrainResult


class InventoryConfig(AppConfig):
    name = "zhongshu.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from zhongshu.core import jobs, syncs

        from . import hooks  # noqa: F401  (registers the order transition effects)

        jobs.register("inventory.tplus_sync", _scheduled_tplus_sync, seconds=TPLUS_SYNC_EVERY)
        jobs.register("inventory.erp_post", _scheduled_erp_post, seconds=ERP_POST_EVERY)
        syncs.register(
            "tplus",
            _command_tplus_sync,
            help="current stock from T+",
            options={"material": "only this material code"},
        )


TPLUS_SYNC_EVERY = 900  # seconds between full T+ syncs run by `zhongshu worker`
ERP_POST_EVERY = 5  # seconds between drains of the posting outbox


def _scheduled_erp_post() -> "DrainResult":
    from . import posting

    return posting.drain()


def _scheduled_tplus_sync() -> "TplusSync | None":
    from . import tplus

    if not tplus.configured():
        return None  # stock is managed locally only
    return tplus.tplus_sync()


def _command_tplus_sync(material: str | None = None) -> list[str]:
    """``zhongshu sync tplus [--material CODE]``: one full sync now."""
    from zhongshu.core.syncs import SyncFailed

    from . import tplus

    if not tplus.configured():
        raise SyncFailed("T+ is not configured: set TPLUS_BASE_URL and its credentials.")
    run = tplus.tplus_sync(material=material)
    if not run.ok:
        raise SyncFailed(f"T+ sync failed: {run.error}")
    return [f"T+ sync: {run.rows} rows, {run.changed} unexplained differences booked."]
