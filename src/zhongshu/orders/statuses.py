"""The order status machine (SPEC §3): states, their groups, and the one transition table.

Who may fire each action is decided in ``zhongshu.accounts.permissions``; what else must hold
(stock, approvals, QC) is added by other apps as guards in ``zhongshu.orders.hooks``.
"""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_REVIEW = "pending_review", _("Pending review")
    CONFIRMED = "confirmed", _("Confirmed")
    SCHEDULING = "scheduling", _("Scheduling")
    IN_PRODUCTION = "in_production", _("In production")
    AWAITING_QC = "awaiting_qc", _("Awaiting QC")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


S = OrderStatus

# Groups used by lists, dashboards and guards.
OPEN = frozenset(
    {S.DRAFT, S.PENDING_REVIEW, S.CONFIRMED, S.SCHEDULING, S.IN_PRODUCTION, S.AWAITING_QC}
)
TERMINAL = frozenset({S.COMPLETED, S.CANCELLED})
BEFORE_SHIPPED = OPEN
EDITABLE = frozenset({S.DRAFT, S.PENDING_REVIEW})
RELEASED = frozenset(
    {S.CONFIRMED, S.SCHEDULING, S.IN_PRODUCTION, S.AWAITING_QC, S.SHIPPED, S.COMPLETED}
)

STATUS_COLOURS: dict[str, str] = {
    S.DRAFT: "grey",
    S.PENDING_REVIEW: "amber",
    S.CONFIRMED: "blue",
    S.SCHEDULING: "blue",
    S.IN_PRODUCTION: "indigo",
    S.AWAITING_QC: "purple",
    S.SHIPPED: "teal",
    S.COMPLETED: "green",
    S.CANCELLED: "red",
}


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


class Channel(models.TextChoices):
    DIRECT = "direct", _("Direct")
    TAOBAO = "taobao", _("Taobao")
    DOUYIN = "douyin", _("Douyin shop")
    AGENT = "agent", _("Agent")
    IMPORT = "import", _("Excel import")


class PaymentTerms(models.TextChoices):
    PREPAID = "prepaid", _("Payment before delivery")
    COD = "cod", _("Payment on delivery")
    NET30 = "net30", _("Monthly statement, 30 days")
    NET60 = "net60", _("Monthly statement, 60 days")
    NET90 = "net90", _("Monthly statement, 90 days")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[Any]
    target: str
    label: str | Promise  # lazy: translated when shown
    note_required: bool = False
    timestamp_field: str | None = None


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("submit", frozenset({S.DRAFT}), S.PENDING_REVIEW, _("Submit for review"),
                   timestamp_field="submitted_at"),
        Transition("reject", frozenset({S.PENDING_REVIEW}), S.DRAFT, _("Return to sales"),
                   note_required=True),
        Transition("confirm", frozenset({S.PENDING_REVIEW}), S.CONFIRMED, _("Confirm"),
                   timestamp_field="confirmed_at"),
        Transition("schedule", frozenset({S.CONFIRMED}), S.SCHEDULING, _("Schedule"),
                   timestamp_field="scheduled_at"),
        Transition("start", frozenset({S.CONFIRMED, S.SCHEDULING}), S.IN_PRODUCTION,
                   _("Start production"), timestamp_field="production_started_at"),
        Transition("finish", frozenset({S.IN_PRODUCTION}), S.AWAITING_QC,
                   _("Finish production"), timestamp_field="production_finished_at"),
        Transition("qc_fail", frozenset({S.AWAITING_QC}), S.IN_PRODUCTION, _("QC failed: rework"),
                   note_required=True),
        # Orders made only of stock lines skip production: confirmed → shipped (guarded below).
        Transition("ship", frozenset({S.CONFIRMED, S.AWAITING_QC}), S.SHIPPED, _("Ship"),
                   timestamp_field="shipped_at"),
        Transition("complete", frozenset({S.SHIPPED}), S.COMPLETED, _("Complete"),
                   timestamp_field="completed_at"),
        Transition("cancel", BEFORE_SHIPPED, S.CANCELLED, _("Cancel"), note_required=True,
                   timestamp_field="cancelled_at"),
    ]
}  # fmt: skip


def actions_from(status: str) -> list[str]:
    return [a for a, t in TRANSITIONS.items() if status in t.sources]
