from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "zhongshu.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from zhongshu.core import jobs

        from . import hooks, requirements  # noqa: F401  (confirm guard, rush requirement)

        jobs.register("approvals.escalate", _escalate, seconds=ESCALATE_EVERY)


ESCALATE_EVERY = 60


def _escalate():
    from .services import escalate_overdue

    return escalate_overdue()
