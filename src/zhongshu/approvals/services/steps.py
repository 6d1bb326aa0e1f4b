"""Moving a request through its flow's steps: who is asked, telling them, and applying the
approved request to its order."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.core.actors import Actor

from .. import subjects
from ..exceptions import (
    ChangeNotApplicable,
)
from ..impact import Impact, compare, schedule_change
from ..models import (
    Delegation,
    Kind,
    Request,
    RequestStatus,
    RequestStep,
    StepStatus,
)
from ._common import CANCELLABLE_AFTER_CONFIRM, EXPEDITABLE, User
from .flows import NOTIFY_CHANNELS, VIA_OF_CHANNEL


def _people_with_role(role: str) -> list[int]:
    if not role:
        return []
    return list(User.objects.filter(groups__name=role, is_active=True).values_list("id", flat=True))


def _notify_step(request: Request, step: RequestStep, user_ids, *, escalated=False) -> None:
    from zhongshu.notify.services import notify

    ids = set(user_ids)
    ids |= set(
        Delegation.objects.filter(
            from_user_id__in=ids, revoked_at__isnull=True,
            starts_at__lte=timezone.now(), ends_at__gt=timezone.now(),
        ).values_list("to_user_id", flat=True)
    )  # fmt: skip
    if not ids:
        return
    subject = (
        _("Escalated: %(kind)s for %(order)s waits for your approval")
        if escalated
        else _("%(kind)s for %(order)s waits for your approval")
    ) % {"kind": request.get_kind_display(), "order": request.subject_number}
    # one notification per channel: each carries its own ``?via=`` so the decision records
    # where it was made; the same dedupe key (unique per channel and target) keeps it single
    for channel in NOTIFY_CHANNELS:
        notify(
            recipients=sorted(ids),
            channels=(channel,),
            subject=subject,
            body=request.reason[:500],
            link=f"{request.link}?via={VIA_OF_CHANNEL[channel]}",
            dedupe_key=f"approval:{request.pk}:step:{step.pk}:{'esc' if escalated else 'open'}",
            order=request.order,
            source="approvals",
            actions=_card_buttons(request) if channel == "feishu_app" else (),
        )


def _card_buttons(request: Request) -> list[dict]:
    """同意 / 驳回 on the Feishu card: a click comes back through the signed callback to the
    "approvals.decide" card handler (approvals.registrations). A rejection needs a reason,
    which the card cannot ask for: its 驳回 answers with that message and the page takes it."""
    value = {"handler": "approvals.decide", "request": request.pk}
    return [
        {"text": "同意", "value": {**value, "verdict": "approve"}, "style": "primary"},
        {"text": "驳回", "value": {**value, "verdict": "reject"}, "style": "danger"},
    ]


def _activate(request: Request, step: RequestStep, now) -> None:
    step.status = StepStatus.ACTIVE
    step.activated_at = now
    if step.time_limit_hours:
        step.due_at = now + dt.timedelta(hours=step.time_limit_hours)
    step.save(update_fields=["status", "activated_at", "due_at"])
    _notify_step(request, step, step.approvers.values_list("id", flat=True))


def _advance(request: Request, actor: Actor, now) -> None:
    """Activate the next waiting step, or finish the request approved and apply it."""
    nxt = request.steps.filter(status=StepStatus.WAITING).order_by("position").first()
    if nxt is not None:
        _activate(request, nxt, now)
        return
    request.status = RequestStatus.APPROVED
    request.decided_at = now
    _apply(request, actor, now)


def _tell_requester(request: Request) -> None:
    from zhongshu.notify.services import notify

    notify(
        recipients=[request.requested_by_id],
        subject=_("%(kind)s for %(order)s: %(status)s")
        % {
            "kind": request.get_kind_display(),
            "order": request.subject_number,
            "status": RequestStatus(request.status).label,
        },
        link=request.link,
        dedupe_key=f"approval:{request.pk}:{request.status}",
        order=request.order,
        source="approvals",
    )


def _apply(request: Request, actor: Actor, now) -> None:
    """The approved request's effect, in the deciding transaction."""
    if request.kind == Kind.DESIGN_CHANGE:
        _apply_design_change(request, actor)
    elif request.kind == Kind.RUSH and request.payload:  # an expedite of a released order
        _apply_rush(request, actor)
    elif request.kind == Kind.PURCHASE_AMOUNT:  # the purchase order is released (planning)
        subjects.finished(request, actor)
    elif request.kind == Kind.CANCEL_AFTER_CONFIRM:
        from zhongshu.orders.services import order_transition

        order = request.the_order()
        if order.status not in CANCELLABLE_AFTER_CONFIRM:
            raise ChangeNotApplicable(details={"status": order.status})
        order_transition(
            actor=actor, order_id=order.pk, action="cancel", system=True,
            note=_("Cancellation approved (request #%(id)s): %(reason)s")
            % {"id": request.pk, "reason": request.reason},
            data={"approval_request": request.pk},
        )  # fmt: skip
    request.applied_at = now
    _tell_requester(request)


def _apply_design_change(request: Request, actor: Actor) -> None:
    from zhongshu.notify.services import notify
    from zhongshu.orders.services import order_apply_change

    before = _finishes() if schedule_change(request) else None
    # reservation, task sheets and the schedule follow through the orders "changed" hooks
    # (approvals.hooks), in this transaction: a refusal there rolls the decision back
    order, _diff = order_apply_change(
        actor=actor, order_id=request.order_id, changes=request.payload, system=True,
        note=_("Design change approved (request #%(id)s): %(reason)s")
        % {"id": request.pk, "reason": request.reason},
    )  # fmt: skip
    request.order = order
    notify(
        recipients=[request.requested_by_id, order.sales_owner_id],
        roles=("planner", "supervisor", "warehouse"),
        subject=_("Order %(order)s changed: design change approved") % {"order": order.number},
        body=request.reason[:500],
        link=request.link,
        dedupe_key=f"approval:{request.pk}:applied",
        order=order,
        source="approvals",
    )
    if before is not None:
        _tell_schedule(request, compare(order.pk, before, _finishes()))


def _apply_rush(request: Request, actor: Actor) -> None:
    from zhongshu.orders.services import order_expedite

    if request.the_order().status not in EXPEDITABLE:
        raise ChangeNotApplicable(details={"status": request.the_order().status})
    before = _finishes()
    order, _diff = order_expedite(
        actor=actor, order_id=request.order_id, changes=request.payload,
        note=_("Rush approved (request #%(id)s): %(reason)s")
        % {"id": request.pk, "reason": request.reason},
    )  # fmt: skip
    request.order = order
    _tell_schedule(request, compare(order.pk, before, _finishes()))


def _finishes() -> dict:
    from zhongshu.production.services import projected_finishes

    return projected_finishes()


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else _("not planned")


def _tell_schedule(request: Request, impact: Impact) -> None:
    """The requester hears the order's new projected finish and which orders it pushed later;
    each pushed order's owner hears about their order."""
    from zhongshu.notify.services import notify

    order = request.the_order()
    pushed = "; ".join(
        _("%(order)s now %(after)s (was %(before)s)")
        % {"order": p.number, "after": _when(p.finish_after), "before": _when(p.finish_before)}
        for p in impact.pushed
    )
    body = _("Projected finish: %(after)s (was %(before)s).") % {
        "after": _when(impact.finish_after), "before": _when(impact.finish_before),
    }  # fmt: skip
    body += " " + (
        _("Pushed later: %(orders)s.") % {"orders": pushed} if pushed
        else _("No other order is pushed later.")
    )  # fmt: skip
    subject = (
        _("Order %(order)s expedited: projected finish %(after)s")
        if request.kind == Kind.RUSH
        else _("Order %(order)s rescheduled: projected finish %(after)s")
    )
    notify(
        recipients=[request.requested_by_id],
        subject=subject % {"order": order.number, "after": _when(impact.finish_after)},
        body=body,
        link=request.link,
        dedupe_key=f"approval:{request.pk}:schedule",
        order=order,
        source="approvals",
    )
    for p in impact.pushed:
        if p.owner_id is None:
            continue
        notify(
            recipients=[p.owner_id],
            subject=_("Order %(order)s is now planned to finish later: %(after)s")
            % {"order": p.number, "after": _when(p.finish_after)},
            body=_("Was %(before)s; due %(due)s. Order %(rush)s was changed (request #%(id)s).")
            % {
                "before": _when(p.finish_before),
                "due": p.due_date.isoformat(),
                "rush": order.number,
                "id": request.pk,
            },
            link=f"/orders/{p.order_id}/",
            dedupe_key=f"approval:{request.pk}:pushed:{p.order_id}",
            order=p.order_id,
            source="approvals",
        )
