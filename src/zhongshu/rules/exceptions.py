from django.utils.translation import gettext_lazy as _

from zhongshu.orders.exceptions import TransitionBlocked


class RuleBlocked(TransitionBlocked):
    """A rule with a block action matched the order being submitted; it stays a draft."""

    code = "blocked_by_rule"
    http_status = 409
    default_message = _("A rule blocks this submission.")
