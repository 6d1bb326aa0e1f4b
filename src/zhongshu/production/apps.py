from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    name = "zhongshu.production"
    label = "production"
    verbose_name = _("Production")

    def ready(self) -> None:
        from zhongshu.core import jobs

        from . import hooks  # noqa: F401  (registers the order transition guards and effects)
        from .services import redo_lost_reflows

        # a reflow lost with its worker is queued again (production/services/reflow.py)
        jobs.register("production.reflow_lost", redo_lost_reflows, seconds=60)
