from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListViewsConfig(AppConfig):
    name = "zhongshu.listviews"
    label = "listviews"
    verbose_name = _("Saved list views")
