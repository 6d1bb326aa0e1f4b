"""Rules business users configure (SPEC §6), what they left on orders, and follow-up tasks.

A rule is triggers + a condition tree + actions. ``RuleHit`` is both the "last hits" log and the
dedupe: one row per rule, order and dedupe key (the day, or "once"), so a rule acts on an order at
most once per key however many workers scan at the same moment.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhongshu.orders.models import Order


class Trigger(models.TextChoices):
    ORDER_CREATED = "order.created", _("Order created")
    ORDER_SUBMITTED = "order.submitted", _("Order submitted")
    ORDER_STATUS_CHANGED = "order.status_changed", _("Order status changed")
    ORDER_UPDATED = "order.updated", _("Order edited")
    STOCK_CHANGED = "stock.changed", _("Stock changed")
    SCHEDULE = "schedule", _("On a schedule")
    CUSTOMER_TIER_CHANGED = "customer.tier_changed", _("Customer tier changed")


# triggers about a customer rather than an order (their own conditions and actions)
CUSTOMER_TRIGGERS = (Trigger.CUSTOMER_TIER_CHANGED,)


class Dedupe(models.TextChoices):
    DAY = "day", _("At most once per order per day")
    ONCE = "once", _("At most once per order")


class Rule(models.Model):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    triggers = models.JSONField(_("triggers"), default=list)
    interval_minutes = models.PositiveIntegerField(_("scan every (minutes)"), default=15)
    condition = models.JSONField(_("condition"), default=dict)
    actions = models.JSONField(_("actions"), default=list)
    dedupe = models.CharField(_("repeat"), max_length=8, choices=Dedupe.choices, default=Dedupe.DAY)
    # set on rules shipped with the product (data migration); they stay editable
    builtin_key = models.CharField(max_length=40, blank=True)
    last_scan_at = models.DateTimeField(_("last scan"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("rule")
        constraints = [
            models.UniqueConstraint(
                fields=["builtin_key"], condition=~Q(builtin_key=""), name="rule_builtin_key"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_scheduled(self) -> bool:
        return Trigger.SCHEDULE in (self.triggers or [])


class RuleHit(models.Model):
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="hits")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="rule_hits")
    key = models.CharField(max_length=20)  # the day (YYYY-MM-DD) or "once"
    trigger = models.CharField(max_length=24)
    run = models.CharField(max_length=32)  # which scan/event wrote it: the rows this run owns
    blocked = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "order", "key"], name="rulehit_dedupe")
        ]
        indexes = [
            models.Index(fields=["order", "-id"], name="rulehit_order"),
            models.Index(fields=["run"], name="rulehit_run"),
        ]


class OrderTag(models.Model):
    """A tag, or the queue an order was routed to, set by a rule (orders know nothing of it)."""

    class Kind(models.TextChoices):
        TAG = "tag", _("Tag")
        QUEUE = "queue", _("Queue")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="rule_tags")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TAG)
    tag = models.CharField(_("tag"), max_length=40)
    rule = models.ForeignKey(Rule, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "tag"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind", "tag"], name="ordertag_unique")
        ]
        indexes = [models.Index(fields=["tag", "order"], name="ordertag_tag")]


class FollowUp(models.Model):
    """A task for a person or for everyone holding a role (e.g. purchasing: buy the shortage)."""

    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, null=True, blank=True, related_name="followups"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("assignee"),
    )
    assignee_role = models.CharField(_("assignee role"), max_length=20, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("customer"),
    )
    rule = models.ForeignKey(Rule, on_delete=models.SET_NULL, null=True, blank=True)
    dedupe_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("follow-up task")
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=False) | ~Q(assignee_role=""),
                name="followup_has_assignee",
            )
        ]
        indexes = [
            models.Index(fields=["assignee", "done_at"], name="followup_user"),
            models.Index(fields=["assignee_role", "done_at"], name="followup_role"),
        ]

    def __str__(self) -> str:
        return self.title


class CustomerRuleHit(models.Model):
    """A rule acting on a customer (tier-change rules): log and dedupe, like ``RuleHit``."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="customer_hits")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="rule_hits"
    )
    key = models.CharField(max_length=40)  # "<new tier>:<day>" or "<new tier>:once"
    trigger = models.CharField(max_length=24)
    previous_tier = models.CharField(max_length=16, blank=True)
    tier = models.CharField(max_length=16, blank=True)
    run = models.CharField(max_length=32)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "customer", "key"], name="customerrulehit_dedupe"
            )
        ]
        indexes = [models.Index(fields=["run"], name="customerrulehit_run")]


class CustomerList(models.Model):
    """A named list of customers rules add to (e.g. 新品试用邀请)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer list")

    def __str__(self) -> str:
        return self.name


class CustomerListMember(models.Model):
    customer_list = models.ForeignKey(
        CustomerList, on_delete=models.CASCADE, related_name="members"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="list_memberships"
    )
    rule = models.ForeignKey(Rule, on_delete=models.SET_NULL, null=True, blank=True)
    tier = models.CharField(_("tier when added"), max_length=16, blank=True)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer_list", "customer"], name="customerlistmember_unique"
            )
        ]


class RuleSetVersion(models.Model):
    """One row (id 1) whose ``token`` changes with every write to the rules table — set by
    database triggers (migration 0005) on insert, delete and any update of a rule's definition,
    so ``Rule.objects….update()`` and data migrations count too; only ``last_scan_at`` updates
    (the scheduler's claim) leave it alone. The engine caches the compiled enabled rules per
    process and reloads them when the token differs. The token is random, not a counter: a
    rolled-back change must never come back as a value some process cached for other rules."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("rule set version")
