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
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Sum
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
    today = today or timezone.localdate()
    default_days = overdue_days_for(None)
    # one statement: the customer's credit setting with what is overdue by the default days;
    # a customer whose own allowance differs is asked again with it (rare, and only them)
    figures = _figures(customer_id, today - dt.timedelta(days=default_days))
    limit, own_days = figures["limit"], figures["days"]
    days = own_days if own_days is not None else default_days
    if days != default_days:
        figures = _figures(customer_id, today - dt.timedelta(days=days))
    reasons = []
    if limit is not None:
        exposure = _balance(customer_id) + (extra or ZERO)
        if exposure > limit:
            reasons.append(
                _("Over the credit limit: balance and this order %(exposure)s > limit %(limit)s.")
                % {"exposure": f"{exposure:,.2f}", "limit": f"{limit:,.2f}"}
            )
    late_amount = cents(figures["late"])
    if late_amount:
        reasons.append(
            _("Receivables more than %(days)d days overdue: %(amount)s (oldest due on %(oldest)s).")
            % {"days": days, "amount": f"{late_amount:,.2f}", "oldest": figures["oldest"]}
        )
    return reasons


def _figures(customer_id: int, cutoff: dt.date) -> dict[str, Any]:
    """The credit limit and own overdue allowance of a customer (None where not set) and the
    unpaid amount and oldest due date of its receivables due before ``cutoff``: one statement
    written out, as a confirmation asks it every time (the ORM's building of it cost more than
    the two simple statements it replaces)."""
    from .models import CustomerCredit, Receivable

    qn = connection.ops.quote_name
    credit, receivable = (qn(m._meta.db_table) for m in (CustomerCredit, Receivable))
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT (SELECT credit_limit FROM {credit} WHERE customer_id = %s),"
            f" (SELECT overdue_days FROM {credit} WHERE customer_id = %s),"
            f" SUM(amount - allocated), MIN(due_on) FROM {receivable}"
            " WHERE customer_id = %s AND allocated < amount AND due_on < %s",
            [customer_id, customer_id, customer_id, cutoff],
        )
        limit, days, late, oldest = cur.fetchone()
    # SQLite hands decimals back as floats: the limit to its cents like the ORM would
    return {
        "limit": None if limit is None else cents(Decimal(str(limit))),
        "days": days,
        "late": late,
        "oldest": oldest,
    }


def check(order) -> str | None:
    """The approvals requirement "credit": a reason when confirming ``order`` needs sign-off."""
    # by the customer's id: the check needs no customer row (one statement fewer per confirm)
    reasons = _reasons(order.customer_id, extra=order.total_amount or ZERO, today=None)
    return " ".join(reasons) or None
