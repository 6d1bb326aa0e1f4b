"""Demo approvals: the shipped flow asks a manager to approve rush orders before they are
confirmed. Seeded before the orders; the orders demo calls ``approve_before_confirm`` (through
``ctx["before_transition"]["confirm"]``) before it confirms an order, which files the requests
the order needs, as its sales owner would, and has the demo manager approve each from a phone
after a few minutes to an hour — so the demo's effect report has approval times to show."""

import datetime as dt
import random

from django.utils import timezone

from zhongshu.core.demo import on_backdate

from .hooks import missing_approvals
from .models import Decision, Request, RequestStep
from .services import decide, request_create

SEED_ORDER = 17
REASONS = ["客户产线停线待料，要求提前交付", "大客户加急订单", "交期紧于生产周期，需插单"]
CHANNELS = ["web", "wecom", "inbox"]


def seed(ctx) -> None:
    hooks = ctx.get("before_transition") or {}
    hooks.setdefault("confirm", []).append(approve_before_confirm)
    ctx["before_transition"] = hooks
    ctx["approvals_filed"] = 0
    on_backdate(ctx, date_requests)


def approve_before_confirm(ctx, order) -> None:
    manager = ctx.users.get("manager")
    if manager is None:
        return
    # a random source of its own, so the other seeds draw the same numbers as without approvals
    rng = random.Random(order.pk)
    for kind in sorted(missing_approvals(order)):
        minutes = rng.randint(5, 75)
        now = timezone.now()
        req = request_create(
            actor=order.sales_owner or order.created_by, order_id=order.pk, kind=kind,
            reason=rng.choice(REASONS), now=now - dt.timedelta(minutes=minutes),
        )  # fmt: skip
        decide(actor=manager, request_id=req.pk, verdict="approve",
               channel=rng.choice(CHANNELS), now=now)  # fmt: skip
        ctx["approvals_filed"] += 1


def date_requests(ctx, order, dated: dict) -> None:
    """Requests are decided right before the order was confirmed, after as long as approvals
    took in that period (the plan's ``approval_minutes``; a few minutes without a plan)."""
    if "confirm" not in dated:
        return
    decided = dated["confirm"] - dt.timedelta(minutes=2)
    minutes = (ctx.get("approval_minutes") or {}).get(order.pk)
    for req in Request.objects.filter(order=order, decided_at__isnull=False):
        took = minutes if minutes is not None else req.decision_minutes or 30
        submitted = decided - dt.timedelta(minutes=took)
        Request.objects.filter(pk=req.pk).update(
            submitted_at=submitted, decided_at=decided, decision_minutes=round(took)
        )
        RequestStep.objects.filter(request=req).update(activated_at=submitted, decided_at=decided)
        Decision.objects.filter(request=req).update(at=decided)
