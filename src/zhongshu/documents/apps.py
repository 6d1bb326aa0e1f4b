from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "zhongshu.documents"
    verbose_name = "Printed documents"

    def ready(self) -> None:
        from zhongshu.core.company import provide

        from .company import stored_text

        provide(stored_text)
