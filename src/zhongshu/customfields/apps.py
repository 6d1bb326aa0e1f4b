from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomFieldsConfig(AppConfig):
    name = "zhongshu.customfields"
    label = "customfields"
    verbose_name = _("Custom fields")

    def ready(self):
        from django.db.models.signals import post_save

        from .models import FieldDefinition
        from .selectors import definitions_changed

        post_save.connect(definitions_changed, sender=FieldDefinition, dispatch_uid="cf-generation")
