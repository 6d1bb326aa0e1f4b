"""The channel order pool (SPEC §7): channel accounts with their sync cursor, every external order
once per (account, external id), the SKU mapping table, the exception queue of unmapped lines,
sync runs and the logistics reports sent back to the platforms."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from zhongshu.accounts.models import Region
from zhongshu.catalog.models import Material
from zhongshu.customers.models import Customer
from zhongshu.orders.models import Order


class ChannelKind(models.TextChoices):
    TAOBAO = "taobao", _("Taobao")
    DOUYIN = "douyin", _("Douyin shop")
    AGENT = "agent", _("Agent")


class ChannelAccount(models.Model):
    """One shop (or one offline agent). Secrets are encrypted (``crypto``) and never shown back."""

    kind = models.CharField(_("channel"), max_length=10, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=60, unique=True)
    base_url = models.CharField(_("API base URL"), max_length=200, blank=True)
    app_key = models.CharField(_("app key"), max_length=80, blank=True)
    shop_id = models.CharField(_("shop id"), max_length=40, blank=True)
    secret_enc = models.TextField(blank=True)
    token_enc = models.TextField(blank=True)  # Taobao session key / Douyin access token
    api_key_hash = models.CharField(max_length=64, blank=True, db_index=True)  # agents
    api_key_prefix = models.CharField(max_length=12, blank=True)
    default_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("default region")
    )
    lead_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=7)
    overlap_seconds = models.PositiveIntegerField(_("window overlap (s)"), default=300)
    is_active = models.BooleanField(_("active"), default=True)
    # confirm paid orders that pass every check (stock, credit, rules) without a person
    auto_confirm = models.BooleanField(_("confirm paid orders automatically"), default=False)
    # the sync cursor: everything modified before ``synced_to`` is in; a window in progress is
    # (window_start, window_end, page) and is committed with the orders of each page
    synced_to = models.DateTimeField(null=True, blank=True)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    window_page = models.PositiveIntegerField(default=1)
    backoff_until = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("channel account")
        indexes = [models.Index(fields=["kind", "app_key"], name="chacct_kind_key")]

    def __str__(self) -> str:
        return self.name


class ChannelOrder(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for payment")
        EXCEPTION = "exception", _("In the exception queue")
        ORDERED = "ordered", _("Internal order created")
        CANCELLED = "cancelled", _("Cancelled")
        AFTERSALES = "aftersales", _("After-sales case opened")
        CLOSED = "closed", _("Closed")
        ERROR = "error", _("Error")

    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="orders")
    external_id = models.CharField(_("external order id"), max_length=64)
    status = models.CharField(_("platform status"), max_length=40)
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    modified_at = models.DateTimeField(_("modified on the platform"))
    buyer_key = models.CharField(max_length=120, blank=True)
    buyer_name = models.CharField(max_length=120, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    payload = models.JSONField(default=dict)
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="channel_orders"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tags = models.JSONField(default=list)
    # line numbers of the internal order whose refund the buyer asked for and the platform has not
    # decided yet: they must not ship (the ship guard in ``hooks``)
    held_lines = models.JSONField(default=list, blank=True)
    # the platform's line id → the internal order's line number it became (later versions are
    # matched by it; lines without an id are matched by position)
    line_ids = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, default="pull")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("channel order")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"], name="channelorder_once_per_account"
            )
        ]
        indexes = [
            models.Index(fields=["account", "state", "-id"], name="chorder_state"),
            models.Index(fields=["order"], name="chorder_order"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.external_id}"

    @property
    def status_label(self) -> str:
        """The platform status by its Chinese name (needs ``account``, which lists select)."""
        from .status_labels import status_label

        return status_label(self.account.kind, self.status)


class ChannelOrderEvent(models.Model):
    """Status history: every applied version of the external order."""

    channel_order = models.ForeignKey(ChannelOrder, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=40)
    modified_at = models.DateTimeField()
    source = models.CharField(max_length=10)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class SkuMapping(models.Model):
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelKind.choices)
    channel_sku = models.CharField(_("channel SKU id / outer SKU code"), max_length=64)
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    multiplier = models.DecimalField(
        _("quantity multiplier"), max_digits=10, decimal_places=3, default=Decimal(1)
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["channel", "channel_sku"]
        verbose_name = _("SKU mapping")
        constraints = [
            models.UniqueConstraint(fields=["channel", "channel_sku"], name="skumap_unique"),
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="skumap_multiplier_pos"),
        ]


class AddressRegion(models.Model):
    """Which sales region a buyer's address belongs to: a province, or one city of it, → region.
    The most specific rule wins (city before province). While the table is empty every channel
    order goes to its shop's default region; once it has rules, an order whose address matches
    none waits in the exception queue instead of landing in a region nobody chose."""

    province = models.CharField(_("province"), max_length=30)  # stored as ``addresses.place``
    city = models.CharField(_("city"), max_length=30, blank=True)  # blank: the whole province
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["province", "city"]
        verbose_name = _("address region")
        constraints = [
            models.UniqueConstraint(fields=["province", "city"], name="addressregion_unique")
        ]


class ChannelException(models.Model):
    """What a person must look at. Before conversion, why a channel order cannot become an
    internal order yet: a line that maps to no material (``sku``), or a buyer address in no sales
    region (``address``) — the channel order waits until it is mapped or routed. After conversion:
    a newer version of the platform's order that could not be applied to the internal order by
    itself (``change``; ``detail`` says what differs), a refunded line whose work started or that
    shipped (``refund``), a shipment whose carrier has no code on the platform (``carrier``; the
    report waits until the carrier is mapped)."""

    class Reason(models.TextChoices):
        SKU = "sku", _("Unmapped SKU")
        ADDRESS = "address", _("Address in no sales region")
        CHANGE = "change", _("Changed after conversion")
        REFUND = "refund", _("Refund after work started or shipping")
        CARRIER = "carrier", _("Carrier without a platform code")
        INVALID = "invalid", _("Platform message cannot be read")

    AFTER_CONVERSION = (Reason.CHANGE, Reason.REFUND, Reason.CARRIER)

    channel_order = models.ForeignKey(
        ChannelOrder, on_delete=models.CASCADE, related_name="exceptions"
    )
    reason = models.CharField(max_length=8, choices=Reason.choices, default=Reason.SKU)
    province = models.CharField(max_length=30, blank=True)
    city = models.CharField(max_length=30, blank=True)
    channel = models.CharField(max_length=10, choices=ChannelKind.choices)
    sku_id = models.CharField(max_length=64, blank=True)
    outer_sku = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=200, blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, default=Decimal(0))
    detail = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["resolved_at", "-id"], name="chexc_open")]


class SyncRun(models.Model):
    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=10, default="schedule")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    pages = models.PositiveIntegerField(default=0)
    seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    ignored = models.PositiveIntegerField(default=0)
    throttled = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]


class LogisticsReport(models.Model):
    """The outbox of shipping reports to the platforms: one row per shipment (package) of a channel
    order — ``key`` is the shipment's number, or ``order`` when the order shipped without one —
    written in the same transaction as the shipment, delivered by the worker under a lease (see
    ``logistics``). The platform is told once per package: a row whose worker died mid-call is
    first checked against the platform (or resent under the same request id, which the platform
    answers without shipping again)."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery", "Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        HELD = "held", _("Waiting for a carrier code")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Gave up")

    channel_order = models.ForeignKey(
        ChannelOrder, on_delete=models.CASCADE, related_name="logistics"
    )
    shipment = models.ForeignKey(
        "inventory.Shipment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    key = models.CharField(max_length=40, default="order")
    tracking_no = models.CharField(max_length=60, blank=True)
    carrier = models.CharField(max_length=40, blank=True)  # as the warehouse named it
    carrier_code = models.CharField(max_length=40, blank=True)  # the platform's code for it
    # what the platform was told this package holds: [[sub-order id, platform quantity], …]; empty
    # for a whole-order consignment
    sub_orders = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    # set when a lease expired mid-call: the platform may have accepted it, so check before sending
    uncertain = models.BooleanField(default=False)
    response = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel_order", "key"], name="logistics_once_per_package"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="logistics_due"),
            models.Index(fields=["status", "claimed_until"], name="logistics_lease"),
        ]


class Carrier(models.Model):
    """A carrier as one platform names it: the company code its logistics API accepts (Taobao
    ``ZTO``, Douyin ``zhongtong``). Seeded with the common carriers, refreshed from the platform's
    list (``carriers_refresh``)."""

    channel = models.CharField(_("channel"), max_length=10, choices=ChannelKind.choices)
    code = models.CharField(_("company code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["channel", "code"]
        verbose_name = _("carrier")
        constraints = [models.UniqueConstraint(fields=["channel", "code"], name="carrier_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CarrierMapping(models.Model):
    """The warehouse's name of a carrier (as typed on a shipment, e.g. 中通) → the platform's code.
    A shipment report whose carrier has no mapping for its platform is held, never sent by name."""

    name = models.CharField(_("carrier (warehouse)"), max_length=40)
    carrier = models.ForeignKey(
        Carrier, on_delete=models.CASCADE, related_name="mappings", verbose_name=_("carrier")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelKind.choices)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "channel"]
        verbose_name = _("carrier mapping")
        constraints = [
            models.UniqueConstraint(fields=["name", "channel"], name="carriermapping_once")
        ]


class RoutingRule(models.Model):
    """Where a converted channel order goes: the first enabled rule (lowest priority number, then
    id) whose every filled-in criterion matches sets the order's sales owner, its queue and its
    tags. Empty criteria match anything; no rule matching leaves the order as it was created."""

    name = models.CharField(_("name"), max_length=80)
    priority = models.PositiveIntegerField(_("priority"), default=100)
    enabled = models.BooleanField(_("enabled"), default=True)
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelKind.choices, blank=True)
    account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("shop"),
    )  # fmt: skip
    customer_tier = models.CharField(_("customer tier"), max_length=16, blank=True)
    min_amount = models.DecimalField(
        _("amount from"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_amount = models.DecimalField(
        _("amount up to"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("region"),
    )  # fmt: skip
    sku = models.CharField(_("platform SKU"), max_length=64, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("sales owner"),
    )  # fmt: skip
    queue = models.CharField(_("queue"), max_length=40, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("routing rule")

    def __str__(self) -> str:
        return self.name
