from django.apps import AppConfig


class SetupConfig(AppConfig):
    name = "zhongshu.setup"
    verbose_name = "Go-live checklist"
