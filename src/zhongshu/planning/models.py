"""Material requirements planning (SPEC §9): planning settings per material, MRP runs, the
purchase suggestions a run proposes and the simple purchase orders that count as open supply.

Planning only reads orders, stock, BOMs and the calendar; it writes nothing but these tables.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from zhongshu.catalog.models import Material

QTY = {"max_digits": 14, "decimal_places": 3}
ZERO = Decimal("0")


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


class PurchaseOrderSequence(models.Model):
    """One counter row per year, incremented by an UPDATE in the creating transaction (the row
    lock serialises concurrent accepts; a rolled-back purchase order rolls its number back)."""

    year = models.PositiveIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)


class PurchaseOrder(models.Model):
    """A simple purchase order for one material: while open, quantity − received counts as
    supply arriving on ``due_date``. Receiving books stock through inventory; it closes itself
    (received) when everything has arrived; cancelling closes what is still open."""

    number = models.CharField(_("purchase order"), max_length=20, unique=True)
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

    class Meta:
        ordering = ["-id"]
        verbose_name = _("purchase order")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="po_qty_pos"),
            models.CheckConstraint(
                condition=Q(received_quantity__gte=0) & Q(received_quantity__lte=F("quantity")),
                name="po_received_within_qty",
            ),
        ]
        indexes = [models.Index(fields=["status", "material"], name="po_open_material")]

    def __str__(self) -> str:
        return self.number

    @property
    def open_quantity(self) -> Decimal:
        return self.quantity - self.received_quantity


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
