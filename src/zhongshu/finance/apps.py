from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "zhongshu.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from . import (
            credit,
            hooks,  # noqa: F401  (registers the ship effect that writes receivables)
        )

        try:
            from zhongshu.approvals.requirements import register
        except ImportError:  # the approvals registry is not installed: the check stays callable
            return
        register("credit", _("Credit check"), credit.check)
