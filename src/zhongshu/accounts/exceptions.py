from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import DomainError


class AccountLocked(DomainError):
    """Too many failed logins in a row for this username; refused until the cool-off ends."""

    code = "account_locked"
    http_status = 429
    default_message = _("Too many failed logins. This account is locked for a while.")
