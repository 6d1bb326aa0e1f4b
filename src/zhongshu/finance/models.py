"""Receivables, payments, adjustments, statement confirmations and credit settings (docs/finance.md).

Nothing here is ever deleted or edited once posted: a wrong payment or adjustment is corrected by
a reversing entry. Two running figures are kept next to the entries, in the same transaction as
the allocations that change them, so balances and ageing are single set-based queries:

* ``Receivable.allocated`` = the sum of the allocations to it (0 ≤ allocated ≤ amount);
* ``Payment.allocated`` = the sum of its allocations (a reversal carries the negated figures).
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from zhongshu.customers.models import Customer
from zhongshu.inventory.models import Shipment
from zhongshu.orders.models import Order

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}
ZERO = Decimal("0")


class Receivable(models.Model):
    """What one shipment bills the customer, incl. tax, due per the order's payment terms."""

    # an opening receivable (what customers owed on the day the system started, imported) has
    # no shipment and no order here: its ``document`` is the invoice or delivery note it was
    shipment = models.OneToOneField(
        Shipment, on_delete=models.PROTECT, related_name="receivable", null=True, blank=True
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="receivables", null=True, blank=True
    )
    document = models.CharField(_("document"), max_length=60, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="receivables")
    amount = models.DecimalField(_("amount"), **MONEY)
    allocated = models.DecimalField(_("paid"), default=ZERO, **MONEY)
    payment_terms = models.CharField(_("payment terms"), max_length=16)
    issued_on = models.DateField(_("shipped on"))
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["customer", "due_on"]),
            models.Index(fields=["due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(allocated__lte=F("amount")),
                name="finance_receivable_allocated_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(shipment__isnull=False) | ~Q(document=""),
                name="finance_receivable_shipment_or_document",
            ),
            # an opening receivable is imported once: one per customer and document
            models.UniqueConstraint(
                fields=["customer", "document"],
                condition=Q(shipment__isnull=True),
                name="finance_receivable_opening_once",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or str(self.pk)

    @property
    def reference(self) -> str:
        """The shipment it bills, or the document of an opening receivable."""
        return self.shipment.number if self.shipment_id else self.document

    @property
    def order_number(self) -> str:
        return self.order.number if self.order_id else ""

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.allocated


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REVERSAL = "reversal", _("Reversal")


class Payment(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(
        _("kind"), max_length=10, choices=PaymentKind.choices, default=PaymentKind.PAYMENT
    )
    reference = models.CharField(_("bank reference"), max_length=60)
    amount = models.DecimalField(_("amount"), **MONEY)
    allocated = models.DecimalField(_("allocated"), default=ZERO, **MONEY)
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-id"]
        indexes = [models.Index(fields=["customer", "received_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="payment", amount__gt=0, reverses__isnull=True)
                    | Q(kind="reversal", amount__lt=0, reverses__isnull=False)
                ),
                name="finance_payment_sign_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated


class Allocation(models.Model):
    """A part of a payment applied to a receivable (negative on a reversal)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    receivable = models.ForeignKey(Receivable, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Adjustment(models.Model):
    """A correction of the customer's balance: positive raises what they owe (a debit note),
    negative lowers it (a credit note, a discount granted afterwards, a write-off)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="adjustments")
    amount = models.DecimalField(_("amount"), **MONEY)
    made_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["-id"]
        indexes = [models.Index(fields=["customer", "made_on"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="finance_adjustment_not_zero"),
        ]


class StatementConfirmation(models.Model):
    """The customer confirmed a statement: who on their side, on which day, with what note."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="statement_confirmations"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    closing_balance = models.DecimalField(_("closing balance"), **MONEY)
    confirmed_on = models.DateField(_("confirmed on"))
    confirmed_by = models.CharField(_("confirmed by"), max_length=60)
    note = models.CharField(_("note"), max_length=500, blank=True)
    attachment_ref = models.CharField(_("attachment reference"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["customer", "end"])]


class CustomerCredit(models.Model):
    """Credit control settings of one customer; no row means no limit and the default days."""

    customer = models.OneToOneField(
        Customer, on_delete=models.PROTECT, related_name="credit_setting"
    )
    credit_limit = models.DecimalField(_("credit limit"), null=True, blank=True, **MONEY)
    overdue_days = models.PositiveIntegerField(_("overdue days allowed"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="finance_credit_limit_not_negative",
            ),
        ]
