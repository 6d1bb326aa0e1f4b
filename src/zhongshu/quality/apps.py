from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "zhongshu.quality"
    label = "quality"
    verbose_name = _("Quality control")

    def ready(self) -> None:
        from . import hooks  # noqa: F401  (registers the ship guard and the qc_fail effect)
