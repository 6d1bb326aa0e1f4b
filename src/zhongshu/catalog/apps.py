from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "zhongshu.catalog"
    label = "catalog"
    verbose_name = _("Materials")

    def ready(self):
        from zhongshu.customfields import registry

        from .models import Material

        registry.register("material", Material)
