from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules

# the module in which an app registers what it adds to the shared registries: its navigation
# entries (core.navigation), its order-page panels (orders.panels), its audited models
# (core.auditing); imported once every app is loaded, the way Django's admin finds ``admin``
REGISTRATIONS = "registrations"


class CoreConfig(AppConfig):
    name = "zhongshu.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import history, jobs, poison

        autodiscover_modules(REGISTRATIONS)
        # after the registrations: some register models with simple_history there
        history.cache_history_managers()
        # a worker killed mid-task leaves its task result "running": fail it after a while
        jobs.register("core.reap_running_tasks", poison.reap_running, seconds=300)
