from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "zhongshu.rules"
    label = "zs_rules"  # "rules" is taken by the django-rules package
    verbose_name = _("Rules")
