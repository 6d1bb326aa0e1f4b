"""Approval flows (configured by an admin), requests walking through their steps, decisions,
delegations and attachments (SPEC §6)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from zhongshu.orders.models import Order


class Kind(models.TextChoices):
    RUSH = "rush", _("Rush order")
    DESIGN_CHANGE = "design_change", _("Design change")
    DISCOUNT_ABOVE = "discount_above", _("Discount above threshold")
    AMOUNT_ABOVE = "amount_above", _("Order amount above threshold")
    CANCEL_AFTER_CONFIRM = "cancel_after_confirm", _("Cancellation after confirm")
    CREDIT = "credit", _("Credit limit or overdue")
    PURCHASE_AMOUNT = "purchase_amount", _("Purchase order amount above threshold")


class Mode(models.TextChoices):
    ANY = "any", _("Any one approves")
    ALL = "all", _("All must approve")


class When(models.TextChoices):
    ALWAYS = "always", _("Always")
    ONLY_IF = "only_if", _("Only if the condition holds")
    SKIP_IF = "skip_if", _("Skipped if the condition holds")


class RequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("approval request", "Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SKIPPED = "skipped", _("Skipped")
    CLOSED = "closed", _("Closed")


class DecisionChannel(models.TextChoices):
    """Where a decision was made: the web page, the API, a chat app's card or link, the inbox."""

    WEB = "web", _("Web")
    API = "api", _("API")
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")
    INBOX = "inbox", _("In-app inbox")


class Verdict(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class Flow(models.Model):
    name = models.CharField(_("name"), max_length=80)
    kinds = models.JSONField(_("request kinds"), default=list)
    # discount_above: percent; amount_above: order total (CNY)
    discount_threshold = models.DecimalField(
        _("discount threshold (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    amount_threshold = models.DecimalField(
        _("amount threshold"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    # set on the flows the product ships (approvals.defaults): found again, never re-created
    builtin_key = models.CharField(max_length=40, blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("approval flow")

    def __str__(self) -> str:
        return self.name

    @property
    def kind_labels(self) -> list[str]:
        return [str(Kind(k).label) for k in self.kinds if k in Kind.values]


class FlowStep(models.Model):
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    name = models.CharField(_("step"), max_length=80)
    role = models.CharField(_("approver role"), max_length=20, blank=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("named approvers")
    )
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices, default=Mode.ANY)
    when = models.CharField(
        pgettext_lazy("approval step", "when"),
        max_length=8,
        choices=When.choices,
        default=When.ALWAYS,
    )
    # {"field": "amount", "op": "gt", "value": 50000}
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    time_limit_hours = models.PositiveIntegerField(_("time limit (hours)"), null=True, blank=True)
    deputy_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("deputy"),
    )
    deputy_role = models.CharField(_("deputy role"), max_length=20, blank=True)

    class Meta:
        ordering = ["flow", "position"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "position"], name="approvals_step_pos"),
        ]


class Request(models.Model):
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    # an order's request names the order; a purchase order's (kind purchase_amount) names the
    # purchase order's number instead (purchase orders live in planning, which plugs in here
    # through ``approvals.subjects``)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.CASCADE, related_name="approval_requests"
    )
    purchase_order = models.CharField(_("purchase order"), max_length=20, blank=True, default="")
    flow = models.ForeignKey(Flow, null=True, on_delete=models.SET_NULL, related_name="requests")
    flow_name = models.CharField(max_length=80, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_requests"
    )
    reason = models.TextField(_("reason"))
    # the change asked for (design change) and the order as it was when asked
    payload = models.JSONField(default=dict, blank=True)
    before = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(_("submitted"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # whole minutes from submission to the final approval or rejection (not set on withdrawal),
    # and the channel of that last decision: what the effect report's approval time reads
    decision_minutes = models.PositiveIntegerField(null=True, blank=True)
    decided_via = models.CharField(max_length=10, choices=DecisionChannel.choices, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("approval request")
        indexes = [
            models.Index(fields=["order", "kind", "status"], name="approvals_req_order"),
            models.Index(fields=["requested_by", "-id"], name="approvals_req_by"),
            models.Index(fields=["status", "-id"], name="approvals_req_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="approvals_req_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.order_id}"

    @property
    def link(self) -> str:
        return f"/approvals/{self.pk}/"

    @property
    def subject_number(self) -> str:
        """What the request is about, as people read it: the order's or purchase order's number."""
        return self.order.number if self.order is not None else self.purchase_order

    def the_order(self) -> Order:
        """The order of an order's request (every kind but purchase_amount names one)."""
        if self.order is None:
            raise ValueError(f"approval request {self.pk} is not about an order")
        return self.order

    @property
    def subject_link(self) -> str:
        if self.order_id:
            return f"/orders/{self.order_id}/"
        return f"/planning/purchase-orders/?status=all&q={self.purchase_order}"

    @property
    def minutes_to_decide(self) -> int | None:
        if self.decided_at is None:
            return None
        return int((self.decided_at - self.submitted_at).total_seconds() // 60)


class RequestStep(models.Model):
    """A copy of a flow step made when the request was submitted (later flow edits do not
    change requests already under way), with the people who may decide it."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=80)
    role = models.CharField(max_length=20, blank=True)
    mode = models.CharField(max_length=4, choices=Mode.choices, default=Mode.ANY)
    approvers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    # added when the time limit passed: any one of them may then decide the step alone
    deputies = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    status = models.CharField(max_length=10, choices=StepStatus.choices, default=StepStatus.WAITING)
    time_limit_hours = models.PositiveIntegerField(null=True, blank=True)
    deputy_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    deputy_role = models.CharField(max_length=20, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="approvals_reqstep_pos"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="approvals_step_due")]

    @property
    def minutes_to_decide(self) -> int | None:
        if self.decided_at is None or self.activated_at is None:
            return None
        return int((self.decided_at - self.activated_at).total_seconds() // 60)


class Decision(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="decisions")
    step = models.ForeignKey(RequestStep, on_delete=models.CASCADE, related_name="decisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # set when the user decided as a delegate or deputy of this approver
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField()
    channel = models.CharField(
        max_length=10, choices=DecisionChannel.choices, default=DecisionChannel.WEB
    )
    # whole minutes from the request's submission to this decision
    minutes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["request", "id"]
        constraints = [
            # one decision per approver per step, however many times the button is pressed
            models.UniqueConstraint(fields=["step", "user"], name="approvals_decision_once"),
        ]


class Delegation(models.Model):
    """While ``starts_at ≤ now < ends_at`` ``to_user`` may decide whatever waits for
    ``from_user``."""

    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_given"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_received"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["to_user", "ends_at"], name="approvals_deleg_to")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="approvals_deleg_period"
            ),
            models.CheckConstraint(
                condition=~Q(from_user=models.F("to_user")), name="approvals_deleg_not_self"
            ),
        ]


class Attachment(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="approvals/%Y/%m/", max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "id"]


CONDITION_FIELDS_LABELS = [
    ("amount", _("Order total")),
    ("discount_rate", _("Discount (%)")),
    ("priority", _("Priority")),
    ("days_to_due", _("Days to due date")),
    ("quantity", _("Total quantity")),
    ("channel", _("Channel")),
]
