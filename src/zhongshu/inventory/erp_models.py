"""Models of the ERP link: the posting outbox, unexplained differences, the connection, and the
master data pulled from the ERP. Imported into ``models`` so Django sees them."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhongshu.catalog.models import Material

QTY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}


class PostingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to post")
    POSTED = "posted", _("Posted to T+")
    FAILED = "failed", _("Posting failed")


class PostingError(models.TextChoices):
    NONE = "", _("No error")
    UNAVAILABLE = "unavailable", _("ERP unavailable")
    AUTH = "auth", _("Credentials expired")
    REJECTED = "rejected", _("Refused by the ERP")


class ErpPosting(models.Model):
    """One stock move waiting for, or done with, its ERP document (the durable outbox).

    Written in the transaction of the move itself; ``external_code`` is the ExternalCode of the
    ERP document, derived from the move (or, for a 销货单, from its shipment: every row of one
    shipment shares it and they are posted as one document). One code is one document here and
    in the ERP, which is what makes a retry after a crash safe."""

    external_code = models.CharField(max_length=60, db_index=True)
    document = models.CharField(max_length=24)
    movement = models.OneToOneField(
        "inventory.StockMovement", on_delete=models.PROTECT, related_name="erp_posting"
    )
    level = models.ForeignKey("inventory.StockLevel", on_delete=models.PROTECT, related_name="+")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    on_hand_delta = models.DecimalField(**QTY)  # signed: what the move did to on_hand
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=PostingStatus.choices, default=PostingStatus.PENDING
    )
    error_kind = models.CharField(max_length=12, choices=PostingError.choices, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    erp_number = models.CharField(max_length=60, blank=True)
    alerted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "id"], name="erpposting_status"),
            models.Index(
                fields=["level"], condition=~Q(status="posted"), name="erpposting_unposted"
            ),
        ]


class ErpDifference(models.Model):
    """A sync found T+ differing from Zhongshu by more than the unposted moves explain: stock was
    moved in the ERP directly. Recorded with who/when when the ERP tells."""

    level = models.ForeignKey("inventory.StockLevel", on_delete=models.PROTECT, related_name="+")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    ours_before = models.DecimalField(**QTY)
    erp_on_hand = models.DecimalField(**QTY)
    unposted = models.DecimalField(**QTY)
    difference = models.DecimalField(**QTY)
    erp_modified_by = models.CharField(max_length=60, blank=True)
    erp_modified_at = models.CharField(max_length=40, blank=True)
    sync = models.ForeignKey(
        "inventory.TplusSync", on_delete=models.SET_NULL, null=True, related_name="differences"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["material", "warehouse", "-id"], name="erpdiff_level")]


class ErpConnection(models.Model):
    """The connection settings entered on the page (one row, pk=1). Secrets are stored encrypted
    (``zhongshu.core.crypto``) and never shown again. Empty fields fall back to the environment
    (``TPLUS_*`` settings). Also holds the lease that keeps posting and syncing apart."""

    base_url = models.CharField(max_length=200, blank=True)
    app_key = models.CharField(max_length=120, blank=True)
    app_secret = models.TextField(blank=True)  # encrypted
    open_token = models.TextField(blank=True)  # encrypted
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    auth_failed_at = models.DateTimeField(null=True, blank=True)
    auth_error = models.CharField(max_length=300, blank=True)
    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(default=False)
    last_test_message = models.CharField(max_length=300, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=40, blank=True)


class ErpMasterRecord(models.Model):
    """A material (存货), customer (客户) or warehouse (仓库) as the ERP knows it, with the local
    code it maps to (the same code unless someone mapped it otherwise)."""

    kind = models.CharField(max_length=10)
    code = models.CharField(max_length=60)
    name = models.CharField(max_length=200, blank=True)
    local_code = models.CharField(max_length=60, blank=True)
    pulled_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="erpmaster_unique"),
        ]
