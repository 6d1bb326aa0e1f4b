from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    name = "zhongshu.production"
    label = "production"
    verbose_name = _("Production")

    def ready(self) -> None:
        from . import hooks  # noqa: F401  (registers the order transition guards and effects)
