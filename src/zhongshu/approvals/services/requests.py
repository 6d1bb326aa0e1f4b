"""Asking for approval, and withdrawing the request."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from zhongshu.core.validation import Errors, clean_choice, clean_text
from zhongshu.orders.models import Order

from .. import subjects
from ..exceptions import (
    DuplicateRequest,
    NoFlow,
    NotPending,
    WrongOrderStatus,
)
from ..models import (
    Kind,
    Request,
    RequestStatus,
    RequestStep,
    StepStatus,
    When,
)
from ._common import EXPEDITABLE, ORDER_STATUS_FOR_KIND, _lock_request
from .flows import condition_holds, flow_for, order_facts
from .steps import _advance, _people_with_role


def _snapshot(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "priority": order.priority,
        "due_date": str(order.due_date),
        "total_amount": str(order.total_amount),
        "lines": [
            {
                "line_no": ln.line_no,
                "material": ln.material.code,
                "name": ln.material.name,
                "quantity": str(ln.quantity),
                "fulfilment": ln.fulfilment,
                "note": ln.note,
            }
            for ln in order.lines.select_related("material")
        ],
    }


def _clean_design_change(order: Order, payload: Any) -> dict[str, Any]:
    """Shape check of the change now; the full check runs again when it is applied."""
    from zhongshu.orders.services import _clean_change

    if not isinstance(payload, dict):
        raise ValidationFailed({"payload": _("Describe the change.")})
    allowed = {"due_date", "lines", "drawing_revision", "priority"}
    change = {k: payload[k] for k in allowed if payload.get(k) not in (None, "", [])}
    if not change:
        raise ValidationFailed(
            {
                "payload": _(
                    "Name what changes: quantity, due date, lines, drawing revision or priority."
                )
            }
        )
    fields, updates, removals, new_lines = _clean_change(order, change)
    if not (fields or updates or removals or new_lines):
        raise ValidationFailed({"payload": _("The change is the same as the order.")})
    return change


def _clean_expedite(order: Order, payload: Any) -> dict[str, Any]:
    """A rush of a released order names the higher priority and/or the earlier due date."""
    from zhongshu.orders.services import clean_expedite

    fields = clean_expedite(order, payload if isinstance(payload, dict) else None)
    return {k: str(v) for k, v in fields.items()}


@transaction.atomic
def request_create(
    *,
    actor: Actor,
    order_id: Any,
    kind: str,
    reason: str,
    payload: dict | None = None,
    now: dt.datetime | None = None,
) -> Request:
    permissions.require(actor, "approvals.request")
    errors = Errors()
    clean_kind = clean_choice(errors, "kind", kind, Kind)
    reason = clean_text(errors, "reason", reason, max_length=2000, required=True)
    if clean_kind and clean_kind not in ORDER_STATUS_FOR_KIND:
        errors.add("kind", _("This kind of request is made by the system, not by hand."))
    errors.raise_if_any()
    assert clean_kind is not None  # a missing or unknown kind was refused above
    kind = clean_kind
    order = permissions.get_in_scope(
        permissions.scope_orders(actor, Order.objects.select_for_update(of=("self",))),
        pk=order_id,
    )
    if order.status not in ORDER_STATUS_FOR_KIND[kind]:
        raise WrongOrderStatus(details={"status": order.status, "kind": kind})
    if Request.objects.filter(order=order, kind=kind, status=RequestStatus.PENDING).exists():
        raise DuplicateRequest(details={"kind": kind})
    change = {}
    if kind == Kind.DESIGN_CHANGE:
        change = _clean_design_change(order, payload)
    elif kind == Kind.RUSH and order.status in EXPEDITABLE:
        change = _clean_expedite(order, payload)
    flow = flow_for(kind)
    if flow is None:
        raise NoFlow(details={"kind": kind})
    now = now or timezone.now()
    request = Request(
        kind=kind,
        order=order,
        flow=flow,
        flow_name=flow.name,
        requested_by=actor,
        reason=reason,
        payload=change,
        before=_snapshot(order),
        submitted_at=now,
    )
    request._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    request.save()
    copy_steps(request, flow, order_facts(order), actor)
    _advance(request, actor, now)
    request.save()
    return request


def copy_steps(request: Request, flow, facts: dict[str, Any], actor: Actor) -> None:
    """Copy the flow's steps whose conditions hold for ``facts`` onto the request, each with the
    people who may decide it (never the requester); a step nobody can approve refuses."""
    position = 0
    for fs in flow.steps.prefetch_related("users").order_by("position"):
        holds = condition_holds(fs.condition, facts)
        if (fs.when == When.ONLY_IF and not holds) or (fs.when == When.SKIP_IF and holds):
            continue
        people = set(_people_with_role(fs.role)) | {u.pk for u in fs.users.all()}
        people.discard(actor.pk)  # nobody approves their own request
        if not people:
            deputies = set(_people_with_role(fs.deputy_role))
            if fs.deputy_user_id:
                deputies.add(fs.deputy_user_id)
            people = deputies - {actor.pk}
        if not people:
            raise NoFlow(
                _("Nobody can approve the step %(step)s of %(flow)s.")
                % {"step": fs.name, "flow": flow.name},
                details={"kind": request.kind, "step": fs.name},
            )
        position += 1
        step = RequestStep.objects.create(
            request=request,
            position=position,
            name=fs.name,
            role=fs.role,
            mode=fs.mode,
            time_limit_hours=fs.time_limit_hours,
            deputy_user_id=fs.deputy_user_id,
            deputy_role=fs.deputy_role,
        )
        step.approvers.set(sorted(people))


@transaction.atomic
def request_withdraw(*, actor: Actor, request_id: Any, version: Any = None) -> Request:
    permissions.require(actor, "approvals.view")
    request = _lock_request(actor, request_id)
    if request.requested_by_id != actor.pk and not permissions.can(
        actor, "approvals.act_for_others"
    ):
        raise PermissionDenied(details={"action": "approvals.withdraw"})
    if version is not None and request.version != version:
        raise StaleVersion(details={"current_version": request.version, "your_version": version})
    if request.status != RequestStatus.PENDING:
        raise NotPending(details={"status": request.status})
    now = timezone.now()
    request.steps.filter(status__in=(StepStatus.WAITING, StepStatus.ACTIVE)).update(
        status=StepStatus.CLOSED
    )
    request.status = RequestStatus.WITHDRAWN
    request.decided_at = now
    request.version += 1
    request._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    request.save()
    subjects.finished(request, actor)
    return request
