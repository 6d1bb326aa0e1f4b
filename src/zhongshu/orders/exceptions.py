from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import Conflict, DomainError


class IllegalTransition(Conflict):
    code = "illegal_transition"
    default_message = _("This action is not possible in the order's current status.")


class TransitionBlocked(DomainError):
    """A guard (stock, approval, rule, QC…) refused the transition; ``details`` says why."""

    code = "transition_blocked"
    http_status = 409


class OrderNotEditable(Conflict):
    code = "order_not_editable"
    default_message = _(
        "Only draft orders and orders pending review can be edited; later changes go through "
        "an approval request: a rush for a higher priority or an earlier due date, a design "
        "change for anything else."
    )


class OwnerNotAllowed(DomainError):
    """The chosen user may not own this order (no sales role, or the order's region is not
    theirs)."""

    code = "owner_not_allowed"
    http_status = 422
    default_message = _("This user cannot be the sales owner of the order.")
