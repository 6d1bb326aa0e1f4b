from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import Conflict

from .mrp import BomCycle  # noqa: F401  (re-exported: the errors of planning live here)


class SuggestionDecided(Conflict):
    """Accepting, editing or dismissing a suggestion that was already accepted or dismissed."""

    code = "suggestion_decided"
    default_message = _("This suggestion has already been accepted or dismissed.")


class MrpRunning(Conflict):
    code = "mrp_running"
    default_message = _("An MRP run is already in progress. Try again when it has finished.")


class PurchaseOrderClosed(Conflict):
    """Receiving or cancelling a purchase order that is already received or cancelled."""

    code = "purchase_order_closed"
    default_message = _("This purchase order is already closed (received or cancelled).")


class PurchaseOrderAwaitingApproval(Conflict):
    """Receiving goods against a purchase order whose amount still waits for approval."""

    code = "purchase_order_awaiting_approval"
    default_message = _(
        "This purchase order is above the approval amount and has not been approved yet: "
        "its goods cannot be received until a manager approves it."
    )
