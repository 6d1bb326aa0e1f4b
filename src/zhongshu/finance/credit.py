"""Credit control: when does confirming an order need an approval (docs/finance.md)?

Two reasons, both from the finance ledger:

* over the credit limit — the customer's balance (receivables − payments + adjustments) plus the
  total of the order being confirmed exceeds the ``CustomerCredit.credit_limit`` (no row or an
  empty limit means no limit);
* long overdue — an unpaid receivable is more than N days past its due date; N is
  ``CustomerCredit.overdue_days``, else ``settings.FINANCE_CREDIT_OVERDUE_DAYS`` (default 30).

``check(order)`` is what the approvals registry calls: it returns the reasons as one sentence, or
``None`` when no approval is needed. A check only reads: the receivables it counts were written
when the shipments were (``receivables``), not by the confirmation asking.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .amounts import cents

ZERO = Decimal("0")
DEFAULT_OVERDUE_DAYS = 30


def overdue_days_for(setting) -> int:
    if setting is not None and setting.overdue_days is not None:
        return setting.overdue_days
    return int(getattr(settings, "FINANCE_CREDIT_OVERDUE_DAYS", DEFAULT_OVERDUE_DAYS))


def _balance(customer_id) -> Decimal:
    from .models import Adjustment, Payment, Receivable

    def total(model):
        return cents(model.objects.filter(customer_id=customer_id).aggregate(s=Sum("amount"))["s"])

    return total(Receivable) - total(Payment) + total(Adjustment)


def reasons_for(customer, *, extra: Decimal = ZERO, today: dt.date | None = None) -> list[str]:
    return _reasons(customer.pk, extra=extra, today=today)


def _reasons(customer_id: int, *, extra: Decimal, today: dt.date | None) -> list[str]:
    from .models import CustomerCredit, Receivable

    today = today or timezone.localdate()
    setting = CustomerCredit.objects.filter(customer_id=customer_id).first()
    reasons = []
    if setting is not None and setting.credit_limit is not None:
        exposure = _balance(customer_id) + (extra or ZERO)
        if exposure > setting.credit_limit:
            reasons.append(
                _("Over the credit limit: balance and this order %(exposure)s > limit %(limit)s.")
                % {"exposure": f"{exposure:,.2f}", "limit": f"{setting.credit_limit:,.2f}"}
            )
    days = overdue_days_for(setting)
    late = Receivable.objects.filter(
        customer_id=customer_id,
        allocated__lt=F("amount"),
        due_on__lt=today - dt.timedelta(days=days),
    ).aggregate(amount=Sum(F("amount") - F("allocated")), oldest=Min("due_on"))
    late["amount"] = cents(late["amount"])
    if late["amount"]:
        reasons.append(
            _("Receivables more than %(days)d days overdue: %(amount)s (oldest due on %(oldest)s).")
            % {"days": days, "amount": f"{late['amount']:,.2f}", "oldest": late["oldest"]}
        )
    return reasons


def check(order) -> str | None:
    """The approvals requirement "credit": a reason when confirming ``order`` needs sign-off."""
    # by the customer's id: the check needs no customer row (one statement fewer per confirm)
    reasons = _reasons(order.customer_id, extra=order.total_amount or ZERO, today=None)
    return " ".join(reasons) or None
