"""Stock per (material, warehouse), its append-only ledger, reservations and shipments (SPEC §4).

The levels are a cache of the ledger: every change to ``on_hand`` or ``reserved`` is written in
the same transaction as one ``StockMovement`` carrying the deltas and the figures before and after,
so summing a level's movements always gives the level. The database refuses a level that would
break ``0 <= reserved <= on_hand`` whatever the code above it does.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhongshu.catalog.models import Material
from zhongshu.orders.models import Order, OrderLine

QTY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
ZERO = Decimal("0")


class Warehouse(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80)
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="warehouse_one_default"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockLevel(models.Model):
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="levels")
    on_hand = models.DecimalField(_("on hand"), default=ZERO, **QTY)
    reserved = models.DecimalField(_("reserved"), default=ZERO, **QTY)
    # The figure T+ last reported and when; on_hand may differ when T+ said less than is reserved.
    tplus_on_hand = models.DecimalField(null=True, blank=True, **QTY)
    synced_at = models.DateTimeField(null=True, blank=True)
    oversold_risk = models.BooleanField(_("oversold risk"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["material__code", "warehouse__code"]
        verbose_name = _("stock level")
        constraints = [
            models.UniqueConstraint(fields=["material", "warehouse"], name="stocklevel_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stocklevel_on_hand_nonneg"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stocklevel_reserved_nonneg"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="stocklevel_reserved_le_on_hand"
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "material"], name="stocklevel_wh_mat")]

    def __str__(self) -> str:
        return f"{self.material_id}@{self.warehouse_id}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ISSUE = "issue", _("Issue")
    ADJUST = "adjust", _("Adjustment")
    RESERVE = "reserve", _("Reservation")
    RELEASE = "release", _("Release")
    SYNC_CORRECTION = "sync_correction", _("T+ sync correction")
    OPENING = "opening", _("Opening balance")


class StockMovement(models.Model):
    """One change of one level. Append-only: rows are never updated or deleted.

    ``quantity`` is signed by its effect on the figure the kind is about (on_hand for receipts,
    issues, adjustments and sync corrections; reserved for reservations and releases). An issue
    that ships reserved goods lowers both: ``on_hand_delta`` and ``reserved_delta`` say exactly
    what each figure did, which is what the ledger re-sums to.
    """

    # level, material, warehouse and order are found through the (x, -id) indexes below, which
    # serve a look-up by x alone as well: no single-column index of their own to keep up on
    # every movement written
    level = models.ForeignKey(
        StockLevel, on_delete=models.PROTECT, related_name="movements", db_index=False
    )
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=16, choices=MovementKind.choices)
    quantity = models.DecimalField(**QTY)
    on_hand_delta = models.DecimalField(default=ZERO, **QTY)
    reserved_delta = models.DecimalField(default=ZERO, **QTY)
    on_hand_before = models.DecimalField(**QTY)
    on_hand_after = models.DecimalField(**QTY)
    reserved_before = models.DecimalField(**QTY)
    reserved_after = models.DecimalField(**QTY)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movements",
        db_index=False,
    )
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shipment = models.ForeignKey(
        "Shipment", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("stock movement")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="adjust") | ~Q(reason=""), name="movement_adjust_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["material", "-id"], name="movement_material"),
            models.Index(fields=["warehouse", "-id"], name="movement_warehouse"),
            models.Index(fields=["kind", "-id"], name="movement_kind"),
            models.Index(fields=["order", "-id"], name="movement_order"),
            models.Index(fields=["level", "-id"], name="movement_level"),
        ]


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CONSUMED = "consumed", _("Consumed")
    RELEASED = "released", _("Released")


class Reservation(models.Model):
    """Stock held for one order line at one level. ``quantity`` is what is held right now;
    ``consumed`` went out with shipments, ``released`` was given back (cancel, quantity cut)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="reservations")
    # SET_NULL: when a design change rewrites the lines, re-reservation finds and releases the
    # orphaned holds instead of the row vanishing with its stock still held.
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="reservations"
    )
    level = models.ForeignKey(StockLevel, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.DecimalField(default=ZERO, **QTY)
    consumed = models.DecimalField(default=ZERO, **QTY)
    released = models.DecimalField(default=ZERO, **QTY)
    status = models.CharField(
        max_length=10, choices=ReservationStatus.choices, default=ReservationStatus.ACTIVE
    )
    # a component a make line's bill of materials needs (the level's material is the component,
    # not the line's product): held from confirmation, issued when production starts
    for_component = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="reservation_qty_nonneg"),
        ]
        indexes = [models.Index(fields=["order", "status"], name="reservation_order")]


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments")
    number = models.CharField(_("shipment number"), max_length=32, unique=True)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=60, blank=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shipped_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("shipment")

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QTY)

    class Meta:
        ordering = ["shipment", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipmentline_qty_positive")
        ]


class TplusSync(models.Model):
    """One run of the T+ stock sync (full, or one material at order entry)."""

    scope = models.CharField(max_length=60, default="full")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)
    rows = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]


from .erp_models import (  # noqa: E402,F401  (the ERP link's models live in their own module)
    ErpConnection,
    ErpDifference,
    ErpMasterRecord,
    ErpPosting,
    PostingError,
    PostingStatus,
)


class ComponentScrap(models.Model):
    """Units of a make-to-order line scrapped at an operation: their components are needed again
    (``services.components``)."""

    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="+")
    quantity = models.DecimalField(**QTY)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="componentscrap_qty_pos")
        ]


class ComponentShortage(models.Model):
    """A component a confirmed make line still lacks: it could hold only part of it (a design
    change or scrap on an order already confirmed). Topped up oldest due date first when stock
    arrives (``services.topup``); the row goes when the component is held in full."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="+")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="componentshortage_qty_pos"),
            models.UniqueConstraint(
                fields=["order_line", "material"], name="componentshortage_unique"
            ),
        ]
        indexes = [models.Index(fields=["material", "order"], name="componentshortage_material")]
