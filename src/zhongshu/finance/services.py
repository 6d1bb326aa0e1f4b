"""Finance writes: payments, allocations, reversals, adjustments, statement confirmations, credit
settings. Posted entries are never edited or deleted — a correction is a reversing entry."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts.audit import log_export
from zhongshu.core import xlsx
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_decimal, clean_text
from zhongshu.customers.models import Customer

from . import receivables, selectors
from .amounts import exact
from .exceptions import AlreadyReversed, DuplicatePayment, NothingToAllocate, NotReversible
from .models import (
    Adjustment,
    Allocation,
    CustomerCredit,
    Payment,
    PaymentKind,
    Receivable,
    StatementConfirmation,
)
from .workbook import statement_filename, write_statement

ZERO = Decimal("0")
MAX_AMOUNT = Decimal("9999999999.99")
MAX_ALLOCATIONS = 200


def reconciliation_workbook(*, actor: Actor, period: selectors.Period):
    """Draw up the statement, write it into a temporary file and log the export.
    Returns ``(file, filename)``."""
    statement = selectors.reconciliation(actor=actor, period=period)
    fileobj = xlsx.spool()
    try:
        write_statement(fileobj, statement)
    except BaseException:
        fileobj.close()
        raise
    log_export(
        actor=actor,
        kind="reconciliation",
        filters={"customer": period.customer, "start": period.start, "end": period.end},
        rows=len(statement.orders) + sum(len(s.lines) for s in statement.shipments),
    )
    return fileobj, statement_filename(statement)


# --- input helpers ----------------------------------------------------------------------------------


def _clean_day(errors: Errors, name: str, raw, *, required=True, not_future=True) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        day = raw
    else:
        text = normalize_text(raw or "")
        if not text:
            if required:
                errors.add(name, _("This field is required."))
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            errors.add(name, _("Enter a date as YYYY-MM-DD."))
            return None
    if not_future and day > timezone.localdate():
        errors.add(name, _("The date is in the future."))
        return None
    return day


def _customer(errors: Errors, actor: Actor, code) -> Customer | None:
    text = normalize_text(code or "").upper()
    if not text:
        errors.add("customer", _("This field is required."))
        return None
    qs = permissions.scope_customers(actor, Customer.objects.all())
    found = qs.filter(code=text).first()
    if found is None:
        errors.add("customer", _("No such customer."))
    return found


def _clean_allocations(errors: Errors, raw) -> list[tuple[int | None, Decimal | None]]:
    if not isinstance(raw, list | tuple):
        errors.add("allocations", _("Give a list of allocations."))
        return []
    if len(raw) > MAX_ALLOCATIONS:
        errors.add("allocations", _("At most %(n)d allocations.") % {"n": MAX_ALLOCATIONS})
        return []
    out, seen = [], set()
    for i, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        rid = item.get("receivable_id")
        if not isinstance(rid, int) or isinstance(rid, bool) or rid <= 0:
            errors.add(f"allocations.{i}.receivable_id", _("Choose a receivable."))
            rid = None
        elif rid in seen:
            errors.add(f"allocations.{i}.receivable_id", _("This receivable is listed twice."))
            rid = None
        else:
            seen.add(rid)
        amount = clean_decimal(
            errors,
            f"allocations.{i}.amount",
            item.get("amount"),
            places=2,
            strictly_positive=True,
            max_value=MAX_AMOUNT,
        )
        out.append((rid, amount))
    return out


def _plan_rows(
    customer_id: int, plan, available: Decimal | None, errors: Errors
) -> list[tuple[Receivable, Decimal]]:
    """Lock the customer's receivables and turn ``plan`` into ``[(receivable, amount)]``.

    ``plan`` is ``[(receivable_id, amount)]`` as cleaned by ``_clean_allocations`` (``None`` where
    the input was already refused) or ``None`` for oldest-due-first. Every problem goes to
    ``errors``; the caller raises them together with its own."""
    open_qs = Receivable.objects.select_for_update().filter(customer_id=customer_id)
    rows: list[tuple[Receivable, Decimal]] = []
    rec: Receivable | None
    if plan is None:
        left = available or ZERO
        for rec in open_qs.filter(allocated__lt=F("amount")).order_by("due_on", "id"):
            if left <= 0:
                break
            take = min(left, rec.amount - rec.allocated)
            rows.append((rec, take))
            left -= take
        return rows
    found = {
        r.pk: r for r in open_qs.filter(pk__in=[rid for rid, _a in plan if rid]).order_by("id")
    }
    total = ZERO
    for i, (rid, amount) in enumerate(plan):
        rec = found.get(rid) if rid else None
        if rid and rec is None:
            errors.add(
                f"allocations.{i}.receivable_id",
                _("No open receivable of this customer has this id."),
            )
            continue
        if rec is None or amount is None:
            continue
        if amount > rec.amount - rec.allocated:
            errors.add(
                f"allocations.{i}.amount",
                _("More than is still owed on this receivable (%(left)s).")
                % {"left": rec.amount - rec.allocated},
            )
            continue
        rows.append((rec, amount))
        total += amount
    if available is not None and total > available:
        errors.add(
            "allocations",
            _("The allocations (%(total)s) exceed the money available (%(left)s).")
            % {"total": total, "left": available},
        )
    return rows


def _move_allocated(obj: Receivable | Payment, by: Decimal) -> None:
    """Move the running figure of a row locked by this transaction by ``by``: computed here in
    ``Decimal`` and written as an exact value (``F()`` arithmetic is floating point on SQLite)."""
    obj.allocated = exact(type(obj), "allocated", obj.allocated + by)
    type(obj).objects.filter(pk=obj.pk).update(allocated=obj.allocated)


def _apply(payment: Payment, rows: list[tuple[Receivable, Decimal]]) -> Decimal:
    """Write the allocations and move both running figures in the same transaction. The
    receivables were locked by ``_plan_rows``, the payment by its caller (or is new)."""
    allocated = ZERO
    for rec, amount in rows:
        Allocation.objects.create(payment=payment, receivable=rec, amount=amount)
        _move_allocated(rec, amount)
        allocated += amount
    if allocated:
        _move_allocated(payment, allocated)
    return allocated


# --- payments ---------------------------------------------------------------------------------------


@transaction.atomic
def payment_create(
    *,
    actor: Actor,
    customer: str,
    reference: str,
    amount: Any,
    received_on: Any,
    note: str = "",
    allocations: list[dict] | None = None,
) -> Payment:
    """Record money received. ``allocations`` = ``[{"receivable_id", "amount"}]`` applies it to
    the customer's receivables; ``None`` applies it oldest-due-first; ``[]`` applies none. What is
    not applied stays on the customer as credit (an over-payment)."""
    permissions.require(actor, "finance.payments")
    receivables.sync()
    errors = Errors()
    cust = _customer(errors, actor, customer)
    reference = clean_text(errors, "reference", reference, max_length=60, required=True)
    amount = clean_decimal(
        errors, "amount", amount, places=2, strictly_positive=True, max_value=MAX_AMOUNT
    )
    day = _clean_day(errors, "received_on", received_on)
    note = clean_text(errors, "note", note, max_length=200)
    plan = None if allocations is None else _clean_allocations(errors, allocations)
    rows: list[tuple[Receivable, Decimal]] = []
    if cust is not None:
        Customer.objects.select_for_update().filter(pk=cust.pk).first()  # one payment at a time
        if plan is not None or amount is not None:
            rows = _plan_rows(cust.pk, plan, amount, errors)
    errors.raise_if_any()
    assert cust is not None and day is not None  # a missing customer or date was refused above
    if Payment.objects.filter(
        customer=cust, kind=PaymentKind.PAYMENT, reference=reference, reversal__isnull=True
    ).exists():
        raise DuplicatePayment(details={"reference": reference})
    payment = Payment.objects.create(
        customer=cust,
        reference=reference,
        amount=amount,
        received_on=day,
        note=note,
        created_by=actor,
    )
    _apply(payment, rows)
    return payment


@transaction.atomic
def payment_allocate(
    *, actor: Actor, payment_id: Any, allocations: list[dict] | None = None
) -> Payment:
    """Apply what is left of a payment (the customer's credit) to receivables."""
    permissions.require(actor, "finance.payments")
    receivables.sync()
    qs = permissions.scope_customers(actor, Payment.objects.select_for_update(), "customer__")
    payment = permissions.get_in_scope(qs, pk=payment_id)
    errors = Errors()
    plan = None if allocations is None else _clean_allocations(errors, allocations)
    errors.raise_if_any()
    if payment.kind != PaymentKind.PAYMENT:
        raise NotReversible()
    if Payment.objects.filter(reverses=payment).exists():
        raise AlreadyReversed()
    left = payment.amount - payment.allocated
    if left <= 0:
        raise NothingToAllocate()
    rows = _plan_rows(payment.customer_id, plan, left, errors)
    errors.raise_if_any()
    _apply(payment, rows)
    return payment


@transaction.atomic
def payment_reverse(*, actor: Actor, payment_id: Any, reason: str = "") -> Payment:
    """Reverse a payment: a negative payment on today's date undoing it and each of its
    allocations. The original stays as it was posted."""
    permissions.require(actor, "finance.payments")
    errors = Errors()
    reason = clean_text(errors, "reason", reason, max_length=200, required=True)
    qs = permissions.scope_customers(actor, Payment.objects.select_for_update(), "customer__")
    original = permissions.get_in_scope(qs, pk=payment_id)
    errors.raise_if_any()
    if original.kind != PaymentKind.PAYMENT:
        raise NotReversible()
    if Payment.objects.filter(reverses=original).exists():
        raise AlreadyReversed()
    reversal = Payment.objects.create(
        customer_id=original.customer_id,
        kind=PaymentKind.REVERSAL,
        reference=original.reference,
        amount=-original.amount,
        allocated=-original.allocated,
        received_on=timezone.localdate(),
        note=reason,
        reverses=original,
        created_by=actor,
    )
    per_receivable: dict[int, Decimal] = {}
    for rid, amount in original.allocations.values_list("receivable_id", "amount"):
        per_receivable[rid] = per_receivable.get(rid, ZERO) + amount
    locked = {
        r.pk: r
        for r in Receivable.objects.select_for_update()
        .filter(pk__in=list(per_receivable))
        .order_by("id")
    }
    for rid, amount in sorted(per_receivable.items()):
        if amount:
            Allocation.objects.create(payment=reversal, receivable_id=rid, amount=-amount)
            _move_allocated(locked[rid], -amount)
    return reversal


# --- adjustments ------------------------------------------------------------------------------------


@transaction.atomic
def adjustment_create(
    *, actor: Actor, customer: str, amount: Any, made_on: Any, reason: str
) -> Adjustment:
    """A debit (positive) or credit (negative) note on the customer's balance."""
    permissions.require(actor, "finance.adjust")
    errors = Errors()
    cust = _customer(errors, actor, customer)
    amount = clean_decimal(
        errors, "amount", amount, places=2, min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT
    )
    if amount is not None and amount == 0:
        errors.add("amount", _("An adjustment of zero changes nothing."))
    day = _clean_day(errors, "made_on", made_on)
    reason = clean_text(errors, "reason", reason, max_length=200, required=True)
    errors.raise_if_any()
    assert cust is not None and day is not None  # a missing customer or date was refused above
    return Adjustment.objects.create(
        customer=cust, amount=amount, made_on=day, reason=reason, created_by=actor
    )


@transaction.atomic
def adjustment_reverse(*, actor: Actor, adjustment_id: Any, reason: str = "") -> Adjustment:
    permissions.require(actor, "finance.adjust")
    errors = Errors()
    reason = clean_text(errors, "reason", reason, max_length=200, required=True)
    qs = permissions.scope_customers(actor, Adjustment.objects.select_for_update(), "customer__")
    original = permissions.get_in_scope(qs, pk=adjustment_id)
    errors.raise_if_any()
    if original.reverses_id:
        raise NotReversible()
    if Adjustment.objects.filter(reverses=original).exists():
        raise AlreadyReversed()
    return Adjustment.objects.create(
        customer_id=original.customer_id,
        amount=-original.amount,
        made_on=timezone.localdate(),
        reason=reason,
        reverses=original,
        created_by=actor,
    )


# --- statement confirmations and credit ---------------------------------------------------------------


@transaction.atomic
def statement_confirm(
    *,
    actor: Actor,
    customer: str,
    start: Any,
    end: Any,
    confirmed_on: Any,
    confirmed_by: str,
    note: str = "",
    attachment_ref: str = "",
) -> StatementConfirmation:
    """Record that the customer confirmed the statement of ``[start, end]``; the closing balance
    is drawn up again and stored with the confirmation."""
    permissions.require(actor, "finance.adjust")
    errors = Errors()
    period = None
    try:
        period = selectors.clean_period(customer=customer, start=start, end=end)
    except ValidationFailed as exc:  # merge its fields with ours: one 422 lists them all
        for item in exc.errors:
            errors.add(item["field"], item["message"])
    day = _clean_day(errors, "confirmed_on", confirmed_on)
    confirmed_by = clean_text(errors, "confirmed_by", confirmed_by, max_length=60, required=True)
    note = clean_text(errors, "note", note, max_length=500)
    attachment_ref = clean_text(errors, "attachment_ref", attachment_ref, max_length=200)
    if period and day and day < period.end:
        errors.add("confirmed_on", _("A statement is confirmed after its period ends."))
    errors.raise_if_any()
    assert period is not None and day is not None  # a bad period or date was refused above
    statement = selectors.reconciliation(actor=actor, period=period)
    return StatementConfirmation.objects.create(
        customer=statement.customer,
        start=period.start,
        end=period.end,
        closing_balance=statement.closing_balance,
        confirmed_on=day,
        confirmed_by=confirmed_by,
        note=note,
        attachment_ref=attachment_ref,
        recorded_by=actor,
    )


@transaction.atomic
def credit_set(*, actor: Actor, customer: str, credit_limit: Any = None, overdue_days: Any = None):
    """Set (or clear, with ``None``/"") the customer's credit limit and allowed overdue days."""
    permissions.require(actor, "finance.adjust")
    errors = Errors()
    cust = _customer(errors, actor, customer)
    limit = None
    if credit_limit not in (None, ""):
        limit = clean_decimal(
            errors, "credit_limit", credit_limit, places=2, min_value=ZERO, max_value=MAX_AMOUNT
        )
    days = None
    if overdue_days not in (None, ""):
        try:
            days = int(str(overdue_days).strip())
            if not 0 <= days <= 3650:
                raise ValueError
        except ValueError:
            errors.add("overdue_days", _("Enter a whole number of days from 0 to 3650."))
    errors.raise_if_any()
    setting, _created = CustomerCredit.objects.update_or_create(
        customer=cust,
        defaults={"credit_limit": limit, "overdue_days": days, "updated_by": actor},
    )
    return setting
