"""Opening receivables: what customers owed on the day the system started (invoices or delivery
notes from before), entered once per customer and document. They count in balances, ageing,
credit checks and statements like any receivable, and payments are allocated to them; they have
no shipment or order here.

Entering the same document again changes nothing; the same document with other figures is
refused — a correction is an adjustment, as for every posted entry."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_decimal

from .models import Receivable
from .services import MAX_AMOUNT, _clean_day, _customer

TERMS = "opening"  # payment_terms of an opening receivable: its due date is as entered


def _check(errors: Errors, actor: Actor, customer, document, issued_on, amount, due_on):
    cust = _customer(errors, actor, customer)
    document = normalize_text(document or "")
    if not document:
        errors.add("document", _("This field is required."))
    elif len(document) > 60:
        errors.add("document", _("At most %(n)d characters.") % {"n": 60})
    amount = clean_decimal(
        errors, "amount", amount, places=2, strictly_positive=True, max_value=MAX_AMOUNT
    )
    issued = _clean_day(errors, "issued_on", issued_on)
    due = _clean_day(errors, "due_on", due_on, not_future=False)
    if issued and due and due < issued:
        errors.add("due_on", _("The due date is before the document date."))
    same = None
    if cust is not None and document:
        stored = Receivable.objects.filter(
            customer=cust, document=document, shipment__isnull=True
        ).first()
        if stored is not None:
            same = (stored.amount, stored.issued_on, stored.due_on) == (amount, issued, due)
            if not same and not errors:
                errors.add(
                    "document",
                    _(
                        "Document %(document)s is already entered with other figures; correct "
                        "it with an adjustment."
                    )
                    % {"document": document},
                )
    return cust, document, amount, issued, due, same


def opening_receivable_errors(
    *, actor: Actor, customer: Any, document: Any, issued_on: Any, amount: Any, due_on: Any
) -> tuple[list[dict], bool]:
    """What ``opening_receivable_create`` would refuse (nothing written), and whether this very
    receivable is entered already (then entering it again changes nothing)."""
    permissions.require(actor, "finance.adjust")
    errors = Errors()
    *_values, same = _check(errors, actor, customer, document, issued_on, amount, due_on)
    return errors.items, bool(same)


@transaction.atomic
def opening_receivable_create(
    *, actor: Actor, customer: Any, document: Any, issued_on: Any, amount: Any, due_on: Any
) -> Receivable | None:
    """Enter an opening receivable. Returns it, or ``None`` when it was entered before."""
    permissions.require(actor, "finance.adjust")
    errors = Errors()
    cust, document, amount, issued, due, same = _check(
        errors, actor, customer, document, issued_on, amount, due_on
    )
    errors.raise_if_any()
    if same:
        return None
    try:
        with transaction.atomic():
            return Receivable.objects.create(
                customer=cust, document=document, amount=amount, payment_terms=TERMS,
                issued_on=issued, due_on=due,
            )  # fmt: skip
    except IntegrityError:  # entered by a concurrent import meanwhile
        raise ValidationFailed(
            {"document": _("Document %(document)s is already entered.") % {"document": document}}
        ) from None
