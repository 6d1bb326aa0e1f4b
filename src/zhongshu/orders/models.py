from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhongshu.catalog.models import Fulfilment, Material
from zhongshu.customers.models import Customer

from .statuses import (
    OPEN,
    STATUS_COLOURS,
    TRANSITIONS,
    Channel,
    OrderStatus,
    PaymentTerms,
    Priority,
)

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class OrderNumberSequence(models.Model):
    """One counter row per year. Incremented under a row lock in the creating transaction, so
    numbers are unique and, because a rolled-back order rolls its increment back too, gapless."""

    year = models.PositiveIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)


class Priced(Protocol):
    """What ``Order.compute_amounts`` adds up: an order line, or any row with its amount."""

    @property
    def amount(self) -> Decimal: ...


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=20, unique=True)
    # found through order_customer_id and order_owner_id ((x, -id), which serve a look-up by x
    # alone too): no single-column index of their own to keep up on every status change
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("customer"),
        db_index=False,
    )
    sales_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_orders",
        verbose_name=_("sales owner"),
        db_index=False,
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.DIRECT
    )
    external_no = models.CharField(_("external number"), max_length=64, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    discount_rate = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("13"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    payment_terms = models.CharField(
        _("payment terms"), max_length=10, choices=PaymentTerms.choices, default=PaymentTerms.NET30
    )
    subtotal = models.DecimalField(_("subtotal"), max_digits=16, decimal_places=2, default=0)
    tax_amount = models.DecimalField(_("tax"), max_digits=16, decimal_places=2, default=0)
    total_amount = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=0)
    note = models.TextField(_("note"), blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    production_started_at = models.DateTimeField(null=True, blank=True)
    production_finished_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order")
        ordering = ["-id"]
        indexes = [
            # one index per list filter, each ending in id so a filtered page is an index range
            models.Index(fields=["status", "-id"], name="order_status_id"),
            models.Index(fields=["customer", "-id"], name="order_customer_id"),
            models.Index(fields=["priority", "-id"], name="order_priority_id"),
            # due-date order pages by a (due date, id) cursor, both directions
            models.Index(fields=["due_date", "id"], name="order_due_keyset"),
            models.Index(fields=["sales_owner", "-id"], name="order_owner_id"),
            models.Index(fields=["channel", "external_no"], name="order_channel_ext"),
            # the list search matches external numbers in any channel; without this index the
            # OR of number / external number / customer cannot be a bitmap scan. (A number's
            # prefix is served by the varchar_pattern_ops index PostgreSQL gets for the unique
            # number; a fragment of an external number by a trigram index: migration 0007.)
            models.Index(fields=["external_no"], name="order_external_no"),
            # dashboard aggregates (SPEC §9): on-time rate over shipped_at, this month vs last over
            # created_at, overdue over open orders' due dates — each an index-only scan on
            # PostgreSQL thanks to the included columns (SQLite keeps the key columns only)
            models.Index(
                fields=["shipped_at"], include=["due_date", "customer"], name="order_shipped_at"
            ),
            models.Index(
                fields=["created_at"],
                include=["status", "total_amount", "customer"],
                name="order_created_at",
            ),
            models.Index(
                fields=["status", "due_date"],
                include=["customer"],
                condition=Q(status__in=sorted(OPEN)),
                name="order_open_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="order_version_positive"),
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="order_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "grey")

    def transition_label(self, action: str) -> str:
        return str(TRANSITIONS[action].label)

    def compute_amounts(self, lines: Iterable[Priced]) -> None:
        subtotal = sum((line.amount for line in lines), Decimal("0"))
        discounted = subtotal * (1 - self.discount_rate / 100)
        self.subtotal = money(subtotal)
        self.tax_amount = money(discounted * self.tax_rate / 100)
        self.total_amount = money(discounted) + self.tax_amount


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("material")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    fulfilment = models.CharField(_("fulfilment"), max_length=8, choices=Fulfilment.choices)
    shipped_quantity = models.DecimalField(
        _("shipped quantity"), max_digits=14, decimal_places=3, default=0
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "line_no"]
        verbose_name = _("order line")
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="orderline_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderline_qty_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orderline_price_nonneg"),
            models.CheckConstraint(
                condition=Q(shipped_quantity__gte=0)
                & Q(shipped_quantity__lte=models.F("quantity")),
                name="orderline_shipped_within_qty",
            ),
        ]
        indexes = [models.Index(fields=["material", "order"], name="orderline_material")]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_no}"


class OrderEvent(models.Model):
    """The order's timeline: one row per creation, edit and transition, written in the same
    transaction as the change it describes."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["order", "id"], name="orderevent_order")]

    @property
    def from_label(self) -> str | Promise:
        return OrderStatus(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str | Promise:
        return OrderStatus(self.to_status).label if self.to_status else ""
