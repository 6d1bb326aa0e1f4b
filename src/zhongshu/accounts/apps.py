from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zhongshu.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import (
            permissions,  # noqa: F401  (registers the rules)
            revocation,
        )
        from .roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, sender=self)
        revocation.connect()
        from django.contrib.auth.signals import user_login_failed

        from .lockout import slow_down_failures

        user_login_failed.connect(slow_down_failures, dispatch_uid="zs-slow-failures")
