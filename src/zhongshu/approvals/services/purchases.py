"""Approval of purchase orders above an amount (kind ``purchase_amount``): the planning app asks
when it creates a purchase order (``planning.po_approval``) and hears the outcome through
``approvals.subjects``. The request names the purchase order by its number; approvals never
imports planning."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhongshu.core.actors import Actor

from ..exceptions import NoFlow
from ..models import Flow, Kind, Request
from .requests import copy_steps
from .steps import _advance


def purchase_threshold() -> Decimal | None:
    """The lowest amount threshold of the active flows covering purchase orders, or None when
    no active flow covers them (then no purchase order waits for approval)."""
    limits = [
        f.amount_threshold
        for f in Flow.objects.filter(active=True).order_by("id")
        if Kind.PURCHASE_AMOUNT in f.kinds and f.amount_threshold is not None
    ]
    return min(limits) if limits else None


@transaction.atomic
def purchase_request_submit(
    *,
    actor: Actor,
    number: str,
    amount: Decimal,
    reason: str,
    snapshot: dict[str, Any],
    now: dt.datetime | None = None,
) -> Request:
    """Ask for approval of purchase order ``number`` (total ``amount``). Called by planning in
    the transaction that creates the purchase order, after its own permission check (creating
    purchase orders): the request is the system's consequence of that, so it checks none of its
    own. Steps' conditions read ``amount``."""
    flow = next(
        (f for f in Flow.objects.filter(active=True).order_by("id")
         if Kind.PURCHASE_AMOUNT in f.kinds),
        None,
    )  # fmt: skip
    if flow is None:
        raise NoFlow(details={"kind": Kind.PURCHASE_AMOUNT.value})
    now = now or timezone.now()
    request = Request(
        kind=Kind.PURCHASE_AMOUNT,
        purchase_order=number,
        flow=flow,
        flow_name=flow.name,
        requested_by=actor,
        reason=reason[:2000],
        before=snapshot,
        submitted_at=now,
    )
    request._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    request.save()
    copy_steps(request, flow, {"amount": amount}, actor)
    _advance(request, actor, now)
    request.save()
    return request
