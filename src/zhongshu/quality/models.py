"""Quality control (SPEC §5): inspection plans per product, inspection records per order with
their measurements, and nonconformances that send an order back to production for rework.

A measurement copies the limits of its plan item at the time it was taken, so editing a plan later
never changes what an old record says passed or failed.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhongshu.catalog.models import Material
from zhongshu.orders.models import Order

VALUE: dict[str, Any] = {"max_digits": 14, "decimal_places": 4}


class ItemKind(models.TextChoices):
    MEASURE = "measure", _("Measured value")
    ATTRIBUTE = "attribute", _("Pass/fail check")


class Result(models.TextChoices):
    PASS = "pass", _("Passed")
    FAIL = "fail", _("Failed")


class NcStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Disposition(models.TextChoices):
    REWORK = "rework", _("Rework")
    SCRAP = "scrap", _("Scrapped")


class InspectionPlan(models.Model):
    material = models.OneToOneField(
        Material, on_delete=models.PROTECT, related_name="inspection_plan"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # a characteristic reworked at its operation goes through the operations after it again
    rework_repeats_following = models.BooleanField(
        _("rework repeats the following operations"), default=False
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["material__code"]
        verbose_name = _("inspection plan")

    def __str__(self) -> str:
        return f"{self.material.code} {self.material.name}"


class InspectionItem(models.Model):
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="items")
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    name = models.CharField(_("inspection item"), max_length=80)
    method = models.CharField(_("method"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    target = models.DecimalField(_("target"), null=True, blank=True, **VALUE)
    lower_tolerance = models.DecimalField(_("lower tolerance"), null=True, blank=True, **VALUE)
    upper_tolerance = models.DecimalField(_("upper tolerance"), null=True, blank=True, **VALUE)
    unit = models.CharField(_("unit"), max_length=12, blank=True)
    # the routing operation (its sequence number, e.g. 20) that produces the characteristic:
    # a failure is reworked there; empty = after the last operation
    operation_sequence = models.PositiveIntegerField(
        _("producing operation"), null=True, blank=True
    )

    class Meta:
        ordering = ["plan_id", "sequence", "id"]
        verbose_name = _("inspection item")
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="qc_item_sequence_unique"),
            models.CheckConstraint(
                condition=Q(kind="attribute")
                | Q(target__isnull=False, lower_tolerance__gte=0, upper_tolerance__gte=0),
                name="qc_item_measure_has_limits",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def lower_limit(self) -> Decimal | None:
        if self.kind != ItemKind.MEASURE:
            return None
        return self.target - self.lower_tolerance

    @property
    def upper_limit(self) -> Decimal | None:
        if self.kind != ItemKind.MEASURE:
            return None
        return self.target + self.upper_tolerance


class InspectionRecord(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="inspections")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspections"
    )
    at = models.DateTimeField(_("inspected at"), db_index=True)
    result = models.CharField(_("result"), max_length=4, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("inspection record")
        indexes = [models.Index(fields=["order", "-at", "-id"], name="qc_record_order_latest")]

    def __str__(self) -> str:
        return f"{self.order.number} {self.at:%Y-%m-%d %H:%M} {self.result}"

    @property
    def passed(self) -> bool:
        return self.result == Result.PASS


class Measurement(models.Model):
    record = models.ForeignKey(
        InspectionRecord, on_delete=models.CASCADE, related_name="measurements"
    )
    item = models.ForeignKey(
        InspectionItem, on_delete=models.SET_NULL, null=True, related_name="measurements"
    )
    sequence = models.PositiveSmallIntegerField()
    # what the item said when the measurement was taken
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    unit = models.CharField(max_length=12, blank=True)
    lower_limit = models.DecimalField(null=True, **VALUE)
    upper_limit = models.DecimalField(null=True, **VALUE)
    value = models.DecimalField(_("measured value"), null=True, blank=True, **VALUE)
    ok = models.BooleanField(_("OK"), null=True)
    passed = models.BooleanField(_("passed"))

    class Meta:
        ordering = ["record_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="measure", value__isnull=False)
                | Q(kind="attribute", ok__isnull=False),
                name="qc_measurement_has_reading",
            )
        ]


class Nonconformance(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="nonconformances")
    record = models.ForeignKey(
        InspectionRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformances",
    )
    description = models.TextField(_("description"))
    disposition = models.CharField(
        _("disposition"), max_length=10, choices=Disposition.choices, default=Disposition.REWORK
    )
    status = models.CharField(
        _("status"), max_length=6, choices=NcStatus.choices, default=NcStatus.OPEN
    )
    # the production task created for the rework (production owns it; kept as a plain id)
    rework_task_id = models.IntegerField(null=True, blank=True)
    # the production task whose reported scrap opened it (plain id, like the rework task)
    scrap_task_id = models.IntegerField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.CharField(_("closing note"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("nonconformance")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False, closed_by__isnull=False),
                name="qc_nc_closed_has_who_and_when",
            )
        ]

    def __str__(self) -> str:
        return f"NC-{self.pk} {self.order.number}"
