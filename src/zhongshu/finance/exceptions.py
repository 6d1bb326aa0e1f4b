from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import Conflict


class AlreadyReversed(Conflict):
    code = "already_reversed"
    default_message = _("This entry has already been reversed.")


class NotReversible(Conflict):
    code = "not_reversible"
    default_message = _("A reversing entry cannot itself be reversed.")


class DuplicatePayment(Conflict):
    code = "duplicate_payment"
    default_message = _("A payment with this bank reference is already recorded for the customer.")


class NothingToAllocate(Conflict):
    code = "nothing_to_allocate"
    default_message = _("Nothing of this payment is left to allocate.")
