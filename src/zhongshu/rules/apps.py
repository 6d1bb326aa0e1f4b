from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "zhongshu.rules"
    label = "zs_rules"  # "rules" is taken by the django-rules package
    verbose_name = _("Rules")

    def ready(self) -> None:
        from zhongshu.catalog import releases
        from zhongshu.core import jobs
        from zhongshu.customers import tiers as segments
        from zhongshu.customfields import registry

        from . import hooks  # noqa: F401  (registers the order hooks and signal receivers)
        from .custom import rules_using
        from .services import check_tier_changes, scan_due_rules

        jobs.register("rules.scan", scan_due_rules, seconds=60)
        # analytics owns the hook registry; rules listens (analytics never imports rules)
        segments.on_tier_change(check_tier_changes)
        # a new product released in the catalog: invite the customers on the trial list
        from .services.trials import invite_trial_customers

        releases.on_new_product(invite_trial_customers)
        # a custom field a rule's condition names keeps its type and is not deleted
        if rules_using not in registry.USAGE_CHECKS:
            registry.usage_check(rules_using)
