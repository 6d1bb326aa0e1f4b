from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class MaterialKind(models.TextChoices):
    RAW = "raw", _("Raw material")
    SEMI = "semi", _("Semi-finished")
    FINISHED = "finished", _("Finished product")
    PURCHASED = "purchased", _("Purchased part")


class Fulfilment(models.TextChoices):
    STOCK = "stock", _("Ship from stock")
    MAKE = "make", _("Make to order")


class Material(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=12, default="件")
    kind = models.CharField(
        _("kind"), max_length=12, choices=MaterialKind.choices, default=MaterialKind.FINISHED
    )
    fulfilment = models.CharField(
        _("fulfilment"), max_length=8, choices=Fulfilment.choices, default=Fulfilment.STOCK
    )
    standard_price = models.DecimalField(
        _("standard price"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    safety_stock = models.DecimalField(
        _("safety stock"),
        max_digits=14,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # when the product was released as new (catalog.releases): customers on the trial list hear of it
    new_since = models.DateTimeField(_("released as new"), null=True, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("material")
        indexes = [models.Index(fields=["name"]), models.Index(fields=["kind", "code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
