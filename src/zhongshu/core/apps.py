from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhongshu.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from . import jobs, poison

        # a worker killed mid-task leaves its task result "running": fail it after a while
        jobs.register("core.reap_running_tasks", poison.reap_running, seconds=300)
