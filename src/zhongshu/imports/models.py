"""Import batches: the uploaded file, its staged rows, and what they created once committed.

Nothing in here is a real business record: rows are staged, validated and shown to the user first;
only ``services.batch_commit`` writes orders, customers, materials or stock.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportKind(models.TextChoices):
    ORDERS = "orders", _("Orders")
    CUSTOMERS = "customers", _("Customers")
    MATERIALS = "materials", _("Materials")
    STOCK = "stock", _("Stock levels")
    SKU_MAPPINGS = "sku_mappings", _("Channel SKU mappings")
    REGIONS = "regions", _("Regions")
    WAREHOUSES = "warehouses", _("Warehouses")
    SUPPLIERS = "suppliers", _("Suppliers")
    USERS = "users", _("Users")
    ROUTINGS = "routings", _("Routings")
    BOMS = "boms", _("Bills of materials")
    QC_PLANS = "qc_plans", _("Inspection plans")
    OPEN_STOCK = "open_stock", _("Opening stock")
    RECEIVABLES = "receivables", _("Opening receivables")
    HISTORY = "history", _("Order history")
    SUPPLIER_PRICES = "supplier_prices", _("Supplier prices")


class BatchStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    VALIDATING = "validating", _("Validating")
    VALIDATED = "validated", _("Validated")
    COMMITTING = "committing", _("Importing")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", pgettext_lazy("import batch", "Failed")
    CANCELLED = "cancelled", _("Cancelled")


class CommitMode(models.TextChoices):
    VALID_ONLY = "valid_only", _("Import the valid rows")
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")


class RowStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Has errors")
    BLOCKED = "blocked", _("Held back")  # valid itself, but another line of its order is not
    DUPLICATE = "duplicate", _("Already imported")
    COMMITTED = "committed", _("Imported")


BUSY = (BatchStatus.VALIDATING, BatchStatus.COMMITTING)


class ImportBatch(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_batches"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.UPLOADED
    )
    mode = models.CharField(max_length=16, choices=CommitMode.choices, blank=True)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    headers = models.JSONField(default=list, blank=True)  # the header row as in the file
    columns = models.JSONField(default=dict, blank=True)  # field → index of its column
    total = models.PositiveIntegerField(_("rows"), default=0)
    valid = models.PositiveIntegerField(_("valid"), default=0)
    invalid = models.PositiveIntegerField(_("with errors"), default=0)
    blocked = models.PositiveIntegerField(default=0)
    duplicate = models.PositiveIntegerField(_("already imported"), default=0)
    skipped = models.PositiveIntegerField(default=0)  # blank and total rows
    committed = models.PositiveIntegerField(_("imported"), default=0)
    warnings = models.PositiveIntegerField(default=0)
    created_objects = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    same_as = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField(blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "-id"], name="importbatch_user"),
            models.Index(fields=["sha256", "kind", "status"], name="importbatch_hash"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BatchStatus.values), name="importbatch_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status not in BUSY else 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def busy(self) -> bool:
        return self.status in BUSY


class ImportRow(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    row_no = models.PositiveIntegerField()  # as Excel shows it (1-based, header included)
    raw = models.JSONField(default=list)  # the cells as read, in file column order
    data = models.JSONField(default=dict)  # normalised values
    errors = models.JSONField(default=list)  # [{"column": header as in the file, "message"}]
    warnings = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=RowStatus.choices)
    key = models.CharField(max_length=200, blank=True)  # what makes the row "already imported"

    class Meta:
        ordering = ["batch", "row_no"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_no"], name="importrow_unique_no")
        ]
        indexes = [models.Index(fields=["batch", "status", "row_no"], name="importrow_status")]


class ImportedOrder(models.Model):
    """External order number → the order an import created. Unique per customer, so a file
    imported twice (or a batch resumed after a crash) can never create the order again."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    external_no = models.CharField(max_length=64)
    order = models.OneToOneField(
        "orders.Order", on_delete=models.CASCADE, related_name="import_source"
    )
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "external_no"], name="importedorder_unique_ext"
            )
        ]
