from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "zhongshu.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from zhongshu.core import jobs

        from . import (
            credit,
            hooks,  # noqa: F401  (registers the ship effect and shipment listener)
            receivables,
        )

        jobs.register("finance.sync_receivables", receivables.sync_job, seconds=SYNC_EVERY)

        try:
            from zhongshu.approvals.requirements import register
        except ImportError:  # the approvals registry is not installed: the check stays callable
            return
        register("credit", _("Credit check"), credit.check)


SYNC_EVERY = 3600  # seconds between catch-up runs of the receivables sync by `zhongshu worker`
