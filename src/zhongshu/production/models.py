"""Production master data and the shop floor (SPEC §5).

* ``WorkCenter`` — a production line with its capacity (shifts × hours per shift on working days);
  ``CalendarException`` overrides single days for one line or for the whole factory.
* ``Routing`` / ``Operation`` — how a make-to-order product is made: ordered operations on lines.
* ``BomLine`` — what a product is made of, per unit (for material planning).
* ``TaskSheet`` / ``Task`` — the 生产任务单 of one make line of a confirmed order, one task per
  operation. The scheduler writes ``planned_start`` / ``planned_finish``; the floor writes the
  actual figures.
* ``ProductionPlan`` — per order, what the last scheduling run projected and whether that misses
  the due date; ``LineLoad`` — per line and day, the hours the last run planned.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhongshu.catalog.models import Material
from zhongshu.orders.models import Order, OrderLine

HOURS: dict[str, Any] = {"max_digits": 10, "decimal_places": 3}
QTY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
ZERO = Decimal("0")


class WorkCenter(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80)
    hours_per_shift = models.DecimalField(
        _("hours per shift"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("8"),
        validators=[MinValueValidator(ZERO)],
    )
    shifts_per_day = models.PositiveSmallIntegerField(_("shifts per day"), default=1)
    active = models.BooleanField(_("active"), default=True)
    # operators (and supervisors) who work on this line: they see its tasks on the kanban
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="work_centers", verbose_name=_("members")
    )
    # scrap above this share of a task's reported quantity opens a nonconformance; empty: the
    # factory-wide ZHONGSHU_SCRAP_NC_PERCENT
    scrap_nc_percent = models.DecimalField(
        _("scrap threshold %"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(ZERO)],
    )  # fmt: skip
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("production line")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_shift__gte=0) & Q(hours_per_shift__lte=24),
                name="workcenter_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(shifts_per_day__lte=3), name="workcenter_shifts_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def hours_per_day(self) -> Decimal:
        return min(self.hours_per_shift * self.shifts_per_day, Decimal("24"))


class CalendarException(models.Model):
    """One day that differs from the national calendar: for one line, or (``work_center`` empty)
    for the whole factory. ``working=False`` closes the day; ``working=True`` opens it with
    ``hours`` (or the line's normal hours when empty)."""

    work_center = models.ForeignKey(
        WorkCenter,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exceptions",
        verbose_name=_("production line"),
    )
    date = models.DateField(_("date"))
    working = models.BooleanField(_("working day"))
    hours = models.DecimalField(_("hours"), null=True, blank=True, max_digits=4, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "work_center_id"]
        verbose_name = _("calendar exception")
        constraints = [
            models.UniqueConstraint(fields=["work_center", "date"], name="calexc_line_date"),
            models.UniqueConstraint(
                fields=["date"], condition=Q(work_center__isnull=True), name="calexc_global_date"
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | (Q(hours__gte=0) & Q(hours__lte=24)),
                name="calexc_hours_range",
            ),
        ]


class Routing(models.Model):
    material = models.OneToOneField(
        Material, on_delete=models.PROTECT, related_name="routing", verbose_name=_("product")
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("routing")

    def __str__(self) -> str:
        return f"routing {self.material_id}"


class Operation(models.Model):
    routing = models.ForeignKey(Routing, on_delete=models.CASCADE, related_name="operations")
    sequence = models.PositiveIntegerField(_("sequence"))
    name = models.CharField(_("operation"), max_length=80, blank=True)
    work_center = models.ForeignKey(
        WorkCenter, on_delete=models.PROTECT, related_name="operations", verbose_name=_("line")
    )
    setup_hours = models.DecimalField(_("setup hours"), default=ZERO, **HOURS)
    run_hours_per_unit = models.DecimalField(_("run hours per unit"), default=ZERO, **HOURS)
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default owner"),
    )

    class Meta:
        ordering = ["routing", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["routing", "sequence"], name="operation_unique_seq"),
            models.CheckConstraint(
                condition=Q(setup_hours__gte=0) & Q(run_hours_per_unit__gte=0),
                name="operation_hours_nonneg",
            ),
        ]


class BomLine(models.Model):
    product = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="bom_lines")
    component = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="used_in")
    quantity_per_unit = models.DecimalField(_("quantity per unit"), max_digits=14, decimal_places=4)
    # the share of the component lost in making (%), as the bill states it
    scrap_percent = models.DecimalField(
        _("scrap %"), max_digits=5, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        ordering = ["product", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "component"], name="bomline_unique"),
            models.CheckConstraint(condition=Q(quantity_per_unit__gt=0), name="bomline_qty_pos"),
            models.CheckConstraint(
                condition=~Q(product=models.F("component")), name="bomline_not_self"
            ),
        ]


class SheetStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TASK = (TaskStatus.PENDING, TaskStatus.IN_PROGRESS)


class PauseReason(models.TextChoices):
    MACHINE_DOWN = "machine_down", _("Machine down")
    MATERIAL_MISSING = "material_missing", _("Material missing")
    OTHER = "other", _("Other")


class TaskSheet(models.Model):
    """生产任务单: one per make line of a confirmed order."""

    number = models.CharField(_("task sheet"), max_length=32, unique=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="task_sheets")
    order_line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="+")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    status = models.CharField(
        _("status"), max_length=12, choices=SheetStatus.choices, default=SheetStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("task sheet")

    def __str__(self) -> str:
        return self.number


class Task(models.Model):
    sheet = models.ForeignKey(TaskSheet, on_delete=models.CASCADE, related_name="tasks")
    # denormalised from the sheet: the kanban and the scheduler filter and sort by order
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveIntegerField(_("sequence"))
    name = models.CharField(_("operation"), max_length=80, blank=True)
    # set on listed tasks by ``selectors`` (for the start buttons); absent until then
    predecessor_done: bool
    work_center = models.ForeignKey(
        WorkCenter, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("line")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="production_tasks",
        verbose_name=_("owner"),
    )
    estimated_hours = models.DecimalField(_("estimated hours"), **HOURS)
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    is_rework = models.BooleanField(_("rework"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_finish = models.DateTimeField(_("planned finish"), null=True, blank=True)
    pinned_date = models.DateField(_("pinned date"), null=True, blank=True)
    pinned_work_center = models.ForeignKey(
        WorkCenter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    actual_hours = models.DecimalField(_("actual hours"), null=True, blank=True, **HOURS)
    # what the floor reported when finishing (empty until finished)
    good_quantity = models.DecimalField(_("good quantity"), null=True, blank=True, **QTY)
    scrap_quantity = models.DecimalField(_("scrap quantity"), null=True, blank=True, **QTY)
    # a paused task keeps its status; ``paused_at`` set means paused
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    pause_reason = models.CharField(
        _("pause reason"), max_length=20, choices=PauseReason.choices, blank=True
    )
    pause_note = models.CharField(_("pause note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    # the floor's own changes (start, finish and its undo, pause, resume, assign, pin) are audited;
    # the scheduler's planned times are written in bulk and are not
    history = HistoricalRecords(excluded_fields=["planned_start", "planned_finish", "updated_at"])

    class Meta:
        ordering = ["sheet", "sequence"]
        verbose_name = _("production task")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "sequence"], name="task_unique_seq"),
            models.CheckConstraint(condition=Q(estimated_hours__gte=0), name="task_hours_nonneg"),
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="task_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "work_center", "-id"], name="task_status_wc"),
            models.Index(fields=["owner", "status", "-id"], name="task_owner_status"),
            models.Index(fields=["order", "status"], name="task_order_status"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet_id}/{self.sequence}"

    @property
    def line_id(self) -> int:
        """The line the task runs on: its pinned line when pinned."""
        return self.pinned_work_center_id or self.work_center_id


class ProductionPlan(models.Model):
    """What the last scheduling run projected for one order with open production."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="production_plan")
    projected_finish = models.DateTimeField(_("projected finish"), null=True, blank=True)
    at_risk = models.BooleanField(_("at risk"), default=False)
    unscheduled_tasks = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["at_risk", "projected_finish"], name="plan_at_risk")]


class LineLoad(models.Model):
    """Hours the last scheduling run planned on one line on one day (open tasks only)."""

    work_center = models.ForeignKey(WorkCenter, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    planned_hours = models.DecimalField(**HOURS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["work_center", "day"], name="lineload_unique")
        ]
        indexes = [models.Index(fields=["day", "work_center"], name="lineload_day")]
