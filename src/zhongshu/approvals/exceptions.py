from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import Conflict, DomainError


class ApprovalRequired(DomainError):
    """The order cannot be confirmed before the named kinds of request are approved."""

    code = "approval_required"
    http_status = 409
    default_message = _("This order needs an approved request before it can be confirmed.")


class NotPending(Conflict):
    code = "request_not_pending"
    default_message = _("This request has already been decided or withdrawn.")


class AlreadyDecided(Conflict):
    code = "already_decided"
    default_message = _("You have already decided this step.")


class NotYourTurn(DomainError):
    code = "not_an_approver"
    http_status = 403
    default_message = _("This request is not waiting for your decision.")


class NoFlow(Conflict):
    code = "no_flow"
    default_message = _("No active approval flow covers this kind of request.")


class DuplicateRequest(Conflict):
    code = "request_exists"
    default_message = _("A request of this kind is already pending for this order.")


class WrongOrderStatus(Conflict):
    code = "order_status"
    default_message = _("This kind of request does not fit the order's current status.")


class ChangeNotApplicable(Conflict):
    code = "change_not_applicable"
    default_message = _("The change can no longer be applied to the order.")
