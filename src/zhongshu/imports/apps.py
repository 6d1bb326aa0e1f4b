from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "zhongshu.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self):
        from zhongshu.core import jobs, poison

        from . import tasks
        from .services import resume_stalled

        # a worker killed mid-import leaves its batch "validating"/"importing": pick it up again
        jobs.register("imports.resume_stalled", resume_stalled, seconds=60)
        for task in (tasks.validate_import, tasks.commit_import):
            poison.on_poison(task.module_path, tasks._poisoned)
