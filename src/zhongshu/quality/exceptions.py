from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import Conflict
from zhongshu.orders.exceptions import TransitionBlocked


class QcNotPassed(TransitionBlocked):
    """Shipping a produced order needs its latest inspection record to have passed."""

    code = "qc_not_passed"
    default_message = _("This order has not passed quality inspection yet; it cannot ship.")


class NotAwaitingQc(Conflict):
    code = "not_awaiting_qc"
    default_message = _("Only orders awaiting QC can be inspected.")


class NonconformanceClosed(Conflict):
    code = "nonconformance_closed"
    default_message = _("This nonconformance is already closed.")
