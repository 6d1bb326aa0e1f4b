"""After-sales cases: a complaint about an order (and maybe one shipment or material of it)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhongshu.catalog.models import Material
from zhongshu.inventory.models import Shipment
from zhongshu.orders.models import Order


class Category(models.TextChoices):
    QUALITY = "quality", _("Quality")
    DELIVERY = "delivery", _("Delivery")
    QUANTITY = "quantity", _("Quantity")
    DAMAGE = "damage", _("Damage")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Source(models.TextChoices):
    MANUAL = "manual", _("Entered by staff")
    CHANNEL = "channel", _("Sales channel")


# which status may follow which (closed is final; a resolved case may be reopened)
NEXT_STATUS = {
    CaseStatus.OPEN: {CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.CLOSED},
    CaseStatus.IN_PROGRESS: {CaseStatus.RESOLVED, CaseStatus.CLOSED},
    CaseStatus.RESOLVED: {CaseStatus.IN_PROGRESS, CaseStatus.CLOSED},
    CaseStatus.CLOSED: set(),
}


class Case(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="aftersales_cases")
    shipment = models.ForeignKey(
        Shipment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("description"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    resolution = models.TextField(_("resolution"), max_length=2000, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, default=Decimal(0))
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("after-sales case")
        verbose_name_plural = _("after-sales cases")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["status", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="aftersales_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"
