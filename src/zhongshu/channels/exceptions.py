from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import Conflict, DomainError


class BadSignature(DomainError):
    code = "bad_signature"
    http_status = 403
    default_message = _("The signature does not match.")


class Unauthenticated(DomainError):
    code = "unauthorized"
    http_status = 401
    default_message = _("Unknown or missing channel credentials.")


class ChannelError(Conflict):
    """The platform answered with an error (or not at all)."""

    code = "channel_error"


class Throttled(ChannelError):
    code = "channel_throttled"


class HeldByRefund(Conflict):
    """A line whose refund the buyer asked for on the platform, not decided yet, must not ship."""

    code = "refund_pending"
    default_message = _("A refund of this line is pending on the sales channel: it cannot ship.")
