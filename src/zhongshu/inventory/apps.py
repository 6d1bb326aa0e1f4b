from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "zhongshu.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from . import hooks  # noqa: F401  (registers the order transition effects)
