"""Material requirements planning (SPEC §9): planning settings per material, MRP runs, the
purchase suggestions a run proposes and the simple purchase orders that count as open supply.

Planning only reads orders, stock, BOMs and the calendar; it writes nothing but these tables.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhongshu.catalog.models import Material

QTY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
PRICE: dict[str, Any] = {"max_digits": 14, "decimal_places": 4}
RATE: dict[str, Any] = {"max_digits": 5, "decimal_places": 4}
ZERO = Decimal("0")
CENT = Decimal("0.01")


class Supplier(models.Model):
    """Master data of purchasing: who a factory buys from. Deactivated, never deleted (purchase
    orders keep pointing at it); every change is in ``history``."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("contact"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=100, blank=True)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("supplier")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SupplierPrice(models.Model):
    """A supplier's price for one material, valid from ``valid_from`` to ``valid_to`` (open-ended
    when empty). ``preferred`` marks the supplier MRP buys the material from; without a preferred
    valid price, the cheapest valid one is taken."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="prices", verbose_name=_("supplier")
    )
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    price = models.DecimalField(_("unit price"), **PRICE)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    tax_rate = models.DecimalField(_("tax rate"), default=Decimal("0.13"), **RATE)
    min_order_qty = models.DecimalField(_("minimum order quantity"), default=ZERO, **QTY)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    preferred = models.BooleanField(_("preferred"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["material_id", "-preferred", "price", "id"]
        verbose_name = _("supplier price")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="supplier_price_nonneg"),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lt=1), name="supplier_price_tax_rate"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="supplier_price_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["material", "valid_from"], name="supplier_price_mat")]


class PlanningParameters(models.Model):
    """How a material is ordered. Without a row: lot-for-lot."""

    material = models.OneToOneField(
        Material, on_delete=models.CASCADE, related_name="planning", verbose_name=_("material")
    )
    min_order_qty = models.DecimalField(_("minimum order quantity"), default=ZERO, **QTY)
    order_multiple = models.DecimalField(_("order multiple"), default=ZERO, **QTY)

    class Meta:
        verbose_name = _("planning parameters")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_order_qty__gte=0) & Q(order_multiple__gte=0),
                name="planparams_nonneg",
            )
        ]


class MrpRun(models.Model):
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # figures of the run: materials, demand lines, suggestions, seconds, calendar
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("MRP run")


class SuggestionStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class SuggestionReason(models.TextChoices):
    DEMAND = "demand", _("Open orders")
    FORECAST = "forecast", _("Forecast")
    SAFETY_STOCK = "safety_stock", _("Safety stock")


class PurchaseSuggestion(models.Model):
    run = models.ForeignKey(MrpRun, on_delete=models.CASCADE, related_name="suggestions")
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    quantity = models.DecimalField(_("quantity"), **QTY)
    net_requirement = models.DecimalField(_("net requirement"), **QTY)
    order_by = models.DateField(_("order by"))
    need_date = models.DateField(_("need date"))
    reason = models.CharField(_("reason"), max_length=16, choices=SuggestionReason.choices)
    late = models.BooleanField(_("late"), default=False)
    # the order lines (ids) whose demand this covers, first few by need date; peg_count is all
    pegged_lines = models.JSONField(default=list, blank=True)
    peg_count = models.PositiveIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.NEW
    )
    dismiss_reason = models.CharField(_("dismiss reason"), max_length=200, blank=True)
    edited = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order_by", "id"]
        verbose_name = _("purchase suggestion")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="suggestion_qty_pos"),
            models.CheckConstraint(
                condition=Q(status__in=SuggestionStatus.values), name="suggestion_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "order_by", "id"], name="suggestion_status_due"),
            models.Index(fields=["material", "status"], name="suggestion_material"),
        ]


class PurchaseOrderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class PurchaseApproval(models.TextChoices):
    """Where a purchase order stands with the approval above an amount (``po_approval``): none
    needed, waiting (its goods cannot be received yet), approved, rejected (then cancelled)."""

    NONE = "", _("Not needed")
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PurchaseOrderSequence(models.Model):
    """One counter row per year, incremented by an UPDATE in the creating transaction (the row
    lock serialises concurrent accepts; a rolled-back purchase order rolls its number back)."""

    year = models.PositiveIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)


class PurchaseOrder(models.Model):
    """One line of a purchase order: the lines sharing a ``number`` (``line_no`` 1, 2, …) are one
    purchase order sent to one supplier. While open, quantity − received of a line counts as
    supply arriving on ``due_date``. Receiving books stock through inventory; a line closes
    itself (received) when everything has arrived; cancelling closes what is still open."""

    number = models.CharField(_("purchase order"), max_length=20)
    line_no = models.PositiveSmallIntegerField(_("line"), default=1)
    supplier = models.ForeignKey(
        Supplier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        verbose_name=_("supplier"),
    )
    unit_price = models.DecimalField(_("unit price"), null=True, blank=True, **PRICE)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    tax_rate = models.DecimalField(_("tax rate"), default=ZERO, **RATE)
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    quantity = models.DecimalField(_("quantity"), **QTY)
    received_quantity = models.DecimalField(_("received"), default=ZERO, **QTY)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PurchaseOrderStatus.choices,
        default=PurchaseOrderStatus.OPEN,
    )
    suggestion = models.OneToOneField(
        PurchaseSuggestion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="purchase_order",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)
    # the same on every line of a purchase order (the approval is of the whole order)
    approval_status = models.CharField(
        _("approval"), max_length=10, choices=PurchaseApproval.choices, default="", blank=True
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("purchase order")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="po_qty_pos"),
            models.CheckConstraint(
                condition=Q(received_quantity__gte=0) & Q(received_quantity__lte=F("quantity")),
                name="po_received_within_qty",
            ),
            models.UniqueConstraint(fields=["number", "line_no"], name="po_number_line"),
        ]
        indexes = [models.Index(fields=["status", "material"], name="po_open_material")]

    def __str__(self) -> str:
        return self.number

    @property
    def open_quantity(self) -> Decimal:
        return self.quantity - self.received_quantity

    @property
    def amount(self) -> Decimal | None:
        """Net amount of the line (quantity × unit price, to the cent)."""
        if self.unit_price is None:
            return None
        return (self.quantity * self.unit_price).quantize(CENT)

    @property
    def tax_amount(self) -> Decimal | None:
        net = self.amount
        return None if net is None else (net * self.tax_rate).quantize(CENT)


# --- demand forecast ----------------------------------------------------------------------------


class ForecastBucket(models.TextChoices):
    WEEK = "week", _("Weekly")
    MONTH = "month", _("Monthly")


class ForecastMethod(models.TextChoices):
    SEASONAL_NAIVE = "seasonal_naive", _("Seasonal naive")
    SES = "ses", _("Simple exponential smoothing")
    HOLT_WINTERS = "holt_winters", _("Holt-Winters (additive)")
    CROSTON = "croston", _("Croston")
    SBA = "sba", _("Croston (SBA)")


class ForecastRun(models.Model):
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    bucket = models.CharField(_("bucket"), max_length=8, choices=ForecastBucket.choices)
    horizon = models.PositiveSmallIntegerField(_("horizon"))
    first_period = models.DateField(_("first forecast period"))
    # figures of the run: products, seconds, methods chosen, overall WAPE against naive
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("forecast run")


class ProductForecast(models.Model):
    """One product's forecast from one run: the method back-testing chose, its back-test WAPE
    next to the seasonal-naive baseline's, and the forecast per period from ``run.first_period``
    on (quantities as strings, one per bucket)."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="forecasts")
    material = models.ForeignKey(
        Material, on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    method = models.CharField(_("method"), max_length=16, choices=ForecastMethod.choices)
    wape = models.DecimalField(_("WAPE"), max_digits=8, decimal_places=4, null=True, blank=True)
    naive_wape = models.DecimalField(
        _("naive WAPE"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    history_periods = models.PositiveIntegerField(default=0)
    history_total = models.DecimalField(default=ZERO, **QTY)
    intermittent = models.BooleanField(default=False)
    values = models.JSONField(default=list, blank=True)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["material_id"]
        verbose_name = _("product forecast")
        constraints = [
            models.UniqueConstraint(fields=["run", "material"], name="forecast_run_material")
        ]
