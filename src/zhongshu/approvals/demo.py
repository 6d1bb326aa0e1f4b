"""Demo approvals: the shipped flow asks a manager to approve rush orders before they are
confirmed. Seeded before the orders; the orders demo calls ``approve_before_confirm`` (through
``ctx["before_transition"]["confirm"]``) before it confirms an order, which files the requests
the order needs, as its sales owner would, and has the demo manager approve each from a phone
after a few minutes to an hour — so the demo's effect report has approval times to show."""

import datetime as dt
import random

from django.utils import timezone

from zhongshu.core.bulk import copy_history
from zhongshu.core.demo import on_backdate, on_history

from .hooks import missing_approvals
from .models import Decision, Kind, Request, RequestStep
from .services import decide, request_create
from .services.flows import flow_for

SEED_ORDER = 17
REASONS = ["客户产线停线待料，要求提前交付", "大客户加急订单", "交期紧于生产周期，需插单"]
CHANNELS = ["web", "wecom", "inbox"]


def seed(ctx) -> None:
    hooks = ctx.get("before_transition") or {}
    hooks.setdefault("confirm", []).append(approve_before_confirm)
    ctx["before_transition"] = hooks
    ctx["approvals_filed"] = 0
    on_backdate(ctx, date_requests)
    on_history(ctx, write_requests)


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


def write_requests(ctx, written: list) -> None:
    """The closed history's rush approvals, set-based: filed by the sales owner, approved by the
    manager right before the order was confirmed, after as long as approvals took then."""
    manager = ctx.users.get("manager")
    flow = flow_for(Kind.RUSH)
    rush = [w for w in written if w.approval_minutes is not None and "confirm" in w.dated]
    if manager is None or flow is None or not rush:
        return
    first = flow.steps.order_by("position").first()
    rng = random.Random(len(rush))
    requests = []
    for w in rush:
        decided = w.dated["confirm"] - dt.timedelta(minutes=2)
        took = w.approval_minutes
        requests.append(Request(
            kind=Kind.RUSH, order_id=w.order_id, flow=flow, flow_name=flow.name,
            requested_by_id=w.owner_id, reason=rng.choice(REASONS), status="approved",
            submitted_at=decided - dt.timedelta(minutes=took), decided_at=decided,
            decision_minutes=round(took), decided_via=rng.choice(CHANNELS),
        ))  # fmt: skip
    requests = Request.objects.bulk_create(requests)
    steps = RequestStep.objects.bulk_create([
        RequestStep(
            request=r, position=1, name=first.name if first else "审批", role="manager",
            status="approved", activated_at=r.submitted_at, decided_at=r.decided_at,
        )
        for r in requests
    ])  # fmt: skip
    Decision.objects.bulk_create([
        Decision(request=r, step=s, user=manager, verdict="approve",
                 at=r.decided_at or r.submitted_at, channel=r.decided_via,
                 minutes=r.decision_minutes or 0)
        for r, s in zip(requests, steps, strict=True)
    ])  # fmt: skip
    copy_history(Request, "id", [r.pk for r in requests], "+", manager.pk)
    ctx["approvals_filed"] += len(requests)
