"""Deciding a request (approve or reject at the actor's step), applying an approved request to
its order, and escalating overdue steps."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import StaleVersion, ValidationFailed
from zhongshu.core.signals import user_activity
from zhongshu.core.validation import Errors, clean_choice, clean_text

from .. import subjects
from ..exceptions import (
    AlreadyDecided,
    NotPending,
    NotYourTurn,
)
from ..models import (
    Decision,
    DecisionChannel,
    Delegation,
    Mode,
    Request,
    RequestStatus,
    RequestStep,
    StepStatus,
    Verdict,
)
from ._common import _lock_request
from .steps import _advance, _notify_step, _people_with_role, _tell_requester


def _principal(actor: Actor, step: RequestStep, now) -> tuple[str, int | None]:
    """How ``actor`` may decide ``step``: ("approver", None), ("deputy", None),
    ("delegate", approver_id) — or raise NotYourTurn."""
    approvers = set(step.approvers.values_list("id", flat=True))
    decided = set()
    for user_id, behalf in step.decisions.values_list("user_id", "on_behalf_of_id"):
        decided |= {user_id, behalf}
    if actor.pk in approvers:
        if actor.pk in decided:
            raise AlreadyDecided()
        return "approver", None
    if step.deputies.filter(pk=actor.pk).exists():
        if actor.pk in decided:
            raise AlreadyDecided()
        return "deputy", None
    delegators = set(
        Delegation.objects.filter(
            to_user=actor, from_user_id__in=approvers, revoked_at__isnull=True,
            starts_at__lte=now, ends_at__gt=now,
        ).values_list("from_user_id", flat=True)
    )  # fmt: skip
    open_for = sorted(delegators - decided)
    if open_for:
        if actor.pk in decided:
            raise AlreadyDecided()
        return "delegate", open_for[0]
    if delegators:
        raise AlreadyDecided()
    raise NotYourTurn()


def _minutes(since: dt.datetime, until: dt.datetime) -> int:
    return max(0, int((until - since).total_seconds() // 60))


@transaction.atomic
def decide(
    *,
    actor: Actor,
    request_id: Any,
    verdict: str,
    comment: str = "",
    version: Any = None,
    channel: str = DecisionChannel.WEB,
    now: dt.datetime | None = None,
) -> Request:
    """Approve or reject ``request_id`` at the actor's step. ``channel`` says where the decision
    was made (web, api, wecom, dingtalk, feishu, inbox — a chat app's signed card callback
    passes its own); it is recorded on the decision with the minutes since the request was
    submitted, and on the request when this decision settles it."""
    permissions.require(actor, "approvals.decide")
    errors = Errors()
    clean_verdict = clean_choice(errors, "verdict", verdict, Verdict)
    comment = clean_text(errors, "comment", comment, max_length=2000)
    clean_channel = clean_choice(errors, "channel", channel, DecisionChannel)
    errors.raise_if_any()
    assert clean_verdict is not None and clean_channel is not None  # else refused above
    verdict, channel = clean_verdict, clean_channel
    request = _lock_request(actor, request_id)
    if version is not None and request.version != version:
        raise StaleVersion(details={"current_version": request.version, "your_version": version})
    if request.status != RequestStatus.PENDING:
        raise NotPending(details={"status": request.status})
    now = now or timezone.now()
    step = request.steps.filter(status=StepStatus.ACTIVE).first()
    if step is None:  # pragma: no cover - a pending request always has an active step
        raise NotPending(details={"status": request.status})
    how, behalf = _principal(actor, step, now)
    if verdict == Verdict.REJECT and not comment:
        raise ValidationFailed({"comment": _("Say why you reject the request.")})
    Decision.objects.create(
        request=request, step=step, user=actor, on_behalf_of_id=behalf, verdict=verdict,
        comment=comment, at=now, channel=channel, minutes=_minutes(request.submitted_at, now),
    )  # fmt: skip
    if verdict == Verdict.REJECT:
        step.status = StepStatus.REJECTED
        step.decided_at = now
        step.save(update_fields=["status", "decided_at"])
        request.steps.filter(status=StepStatus.WAITING).update(status=StepStatus.CLOSED)
        request.status = RequestStatus.REJECTED
        request.decided_at = now
        subjects.finished(request, actor)
        _tell_requester(request)
    else:
        done = step.mode == Mode.ANY or how == "deputy"
        if not done:
            covered = set()
            for u, b in step.decisions.values_list("user_id", "on_behalf_of_id"):
                covered |= {u, b}
            done = set(step.approvers.values_list("id", flat=True)) <= covered
        if done:
            step.status = StepStatus.APPROVED
            step.decided_at = now
            step.save(update_fields=["status", "decided_at"])
            _advance(request, actor, now)
    if request.status != RequestStatus.PENDING:
        request.decision_minutes = _minutes(request.submitted_at, now)
        request.decided_via = channel
    request.version += 1
    request._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    request.save()
    transaction.on_commit(
        lambda: user_activity.send(sender=Request, user=actor, kind="approval.decided", obj=request)
    )
    return request


request_decide = decide  # the earlier name, kept for its callers


def escalate_overdue(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Active steps past their time limit get their deputies (user and/or role), who may then
    decide alone; each step escalates once. Safe to run twice at once (row locks, skip locked
    where the database has them)."""
    now = now or timezone.now()
    count = 0
    ids = list(
        RequestStep.objects.filter(
            status=StepStatus.ACTIVE, due_at__lte=now, escalated_at__isnull=True
        ).values_list("id", flat=True)[:limit]
    )
    for step_id in ids:
        with transaction.atomic():
            step = (
                RequestStep.objects.select_for_update(of=("self",))
                .select_related("request__order")
                .filter(pk=step_id, status=StepStatus.ACTIVE, escalated_at__isnull=True)
                .first()
            )
            if step is None:
                continue
            deputies = set(_people_with_role(step.deputy_role))
            if step.deputy_user_id:
                deputies.add(step.deputy_user_id)
            deputies.discard(step.request.requested_by_id)
            step.deputies.add(*sorted(deputies))
            step.escalated_at = now
            step.save(update_fields=["escalated_at"])
            _notify_step(step.request, step, deputies, escalated=True)
            count += 1
    return count
