"""Approval use cases: flows (admin), requests, decisions, withdrawal, escalation, delegation,
attachments. Every function checks permissions first and is one transaction.

A request copies its flow's steps when submitted (conditions evaluated against the order then),
resolves each step's approvers to people, and activates the first step. Deciding locks the
request row (``select_for_update``), so two approvers pressing at the same moment are serialised:
the second sees the state the first left and is refused if nothing waits for them any more.
The last approval applies the request's effect (design change, cancellation) in the same
transaction.
"""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role
from zhongshu.core.errors import NotFound, StaleVersion, ValidationFailed
from zhongshu.core.signals import user_activity
from zhongshu.core.text import normalize_text
from zhongshu.core.uploads import safe_name, sniff
from zhongshu.core.validation import Errors, clean_choice, clean_decimal, clean_text
from zhongshu.orders.models import Order
from zhongshu.orders.statuses import OrderStatus

from . import selectors
from .exceptions import (
    AlreadyDecided,
    ChangeNotApplicable,
    DuplicateRequest,
    NoFlow,
    NotPending,
    NotYourTurn,
    WrongOrderStatus,
)
from .models import (
    Attachment,
    Decision,
    Delegation,
    Flow,
    FlowStep,
    Kind,
    Mode,
    Request,
    RequestStatus,
    RequestStep,
    StepStatus,
    Verdict,
    When,
)

User = get_user_model()

MAX_STEPS = 10
# approvers hear of a request in-app and in the company's chat groups (a robot channel only
# sends when an enabled robot of that kind is configured)
NOTIFY_CHANNELS = ("inapp", "wecom", "dingtalk", "feishu")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
BEFORE_CONFIRM = {OrderStatus.DRAFT, OrderStatus.PENDING_REVIEW}
CHANGEABLE = {OrderStatus.CONFIRMED, OrderStatus.SCHEDULING, OrderStatus.IN_PRODUCTION}
CANCELLABLE_AFTER_CONFIRM = {*CHANGEABLE, OrderStatus.AWAITING_QC}
ORDER_STATUS_FOR_KIND = {
    Kind.RUSH: BEFORE_CONFIRM,
    Kind.CREDIT: BEFORE_CONFIRM,
    Kind.DISCOUNT_ABOVE: BEFORE_CONFIRM,
    Kind.AMOUNT_ABOVE: BEFORE_CONFIRM,
    Kind.DESIGN_CHANGE: CHANGEABLE,
    Kind.CANCEL_AFTER_CONFIRM: CANCELLABLE_AFTER_CONFIRM,
}

# --- conditions ----------------------------------------------------------------------------------

CONDITION_FIELDS = ("amount", "discount_rate", "priority", "days_to_due", "quantity", "channel")
CONDITION_OPS = ("gt", "gte", "lt", "lte", "eq", "ne")
NUMERIC_FIELDS = {"amount", "discount_rate", "days_to_due", "quantity"}


def order_facts(order: Order) -> dict[str, Any]:
    return {
        "amount": order.total_amount,
        "discount_rate": order.discount_rate,
        "priority": order.priority,
        "days_to_due": (order.due_date - timezone.localdate()).days,
        "quantity": sum((ln.quantity for ln in order.lines.all()), Decimal(0)),
        "channel": order.channel,
    }


def condition_holds(condition: dict, facts: dict[str, Any]) -> bool:
    if not condition:
        return True
    field, op, value = condition["field"], condition["op"], condition["value"]
    actual = facts.get(field)
    if field in NUMERIC_FIELDS:
        actual, value = Decimal(str(actual)), Decimal(str(value))
    return {
        "gt": lambda: actual > value,
        "gte": lambda: actual >= value,
        "lt": lambda: actual < value,
        "lte": lambda: actual <= value,
        "eq": lambda: actual == value,
        "ne": lambda: actual != value,
    }[op]()


def _clean_condition(errors: Errors, prefix: str, raw: Any) -> dict:
    if not raw:
        return {}
    if not isinstance(raw, dict):
        errors.add(prefix, _("A condition is a field, an operator and a value."))
        return {}
    field, op, value = raw.get("field"), raw.get("op"), raw.get("value")
    ok = True
    if field not in CONDITION_FIELDS:
        errors.add(f"{prefix}.field", _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(CONDITION_FIELDS)})  # fmt: skip
        ok = False
    if op not in CONDITION_OPS:
        errors.add(f"{prefix}.op", _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(CONDITION_OPS)})  # fmt: skip
        ok = False
    if ok and field in NUMERIC_FIELDS:
        number = clean_decimal(errors, f"{prefix}.value", value, places=2, max_digits=16)
        if number is None:
            return {}
        value = str(number)
    elif ok:
        value = clean_text(errors, f"{prefix}.value", value, max_length=40, required=True)
    return {"field": field, "op": op, "value": value} if ok else {}


# --- flows (admin) -------------------------------------------------------------------------------


def _user_by_name(errors: Errors, field: str, name: Any):
    name = normalize_text(str(name or ""))
    if not name:
        return None
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        errors.add(field, _("Unknown user: %(u)s") % {"u": name})
    return user


def _clean_role(errors: Errors, field: str, value: Any) -> str:
    value = normalize_text(str(value or ""))
    if value and value not in Role.values:
        errors.add(field, _("Choose one of: %(choices)s.") % {"choices": ", ".join(Role.values)})
        return ""
    return value


def _clean_flow(data: dict[str, Any]) -> tuple[dict, list[dict]]:
    errors = Errors()
    out: dict[str, Any] = {}
    out["name"] = clean_text(errors, "name", data.get("name"), max_length=80, required=True)
    kinds = data.get("kinds") or []
    if not isinstance(kinds, list | tuple) or not kinds:
        errors.add("kinds", _("Choose at least one kind of request."))
        kinds = []
    bad = [k for k in kinds if k not in Kind.values]
    if bad:
        errors.add("kinds", _("Choose one of: %(choices)s.") % {"choices": ", ".join(Kind.values)})
    out["kinds"] = sorted({k for k in kinds if k in Kind.values})
    for field, kind, digits in (
        ("discount_threshold", Kind.DISCOUNT_ABOVE, 5),
        ("amount_threshold", Kind.AMOUNT_ABOVE, 16),
    ):
        raw = data.get(field)
        if raw in (None, ""):
            out[field] = None
            if kind in out["kinds"]:
                errors.add(field, _("This field is required."))
        else:
            out[field] = clean_decimal(
                errors, field, raw, places=2, min_value=Decimal(0), max_digits=digits,
                max_value=Decimal(100) if digits == 5 else None,
            )  # fmt: skip
    out["active"] = bool(data.get("active", True))
    raw_steps = data.get("steps") or []
    if not isinstance(raw_steps, list | tuple) or not raw_steps:
        errors.add("steps", _("A flow needs at least one step."))
        raw_steps = []
    if len(raw_steps) > MAX_STEPS:
        errors.add("steps", _("At most %(n)d steps.") % {"n": MAX_STEPS})
        raw_steps = []
    steps = []
    for i, raw in enumerate(raw_steps):
        p = f"steps[{i}]"
        if not isinstance(raw, dict):
            errors.add(p, _("Each step needs a name and approvers."))
            continue
        step = {
            "name": clean_text(errors, f"{p}.name", raw.get("name"), max_length=80, required=True),
            "role": _clean_role(errors, f"{p}.role", raw.get("role")),
            "mode": clean_choice(errors, f"{p}.mode", raw.get("mode") or Mode.ANY, Mode),
            "when": clean_choice(errors, f"{p}.when", raw.get("when") or When.ALWAYS, When),
            "condition": _clean_condition(errors, f"{p}.condition", raw.get("condition")),
            "deputy_role": _clean_role(errors, f"{p}.deputy_role", raw.get("deputy_role")),
            "deputy_user": _user_by_name(errors, f"{p}.deputy_user", raw.get("deputy_user")),
        }
        names = raw.get("users") or []
        if isinstance(names, str):
            names = [n for n in re.split(r"[\s,，]+", names) if n]
        step["users"] = [u for u in (_user_by_name(errors, f"{p}.users", n) for n in names) if u]
        if not step["role"] and not step["users"]:
            errors.add(f"{p}.role", _("Name a role or at least one user who approves this step."))
        if step["when"] in (When.ONLY_IF, When.SKIP_IF) and not step["condition"]:
            errors.add(f"{p}.condition", _("This field is required."))
        limit = raw.get("time_limit_hours")
        if limit in (None, ""):
            step["time_limit_hours"] = None
        else:
            hours = clean_decimal(
                errors, f"{p}.time_limit_hours", limit, places=0, strictly_positive=True,
                max_value=Decimal(24 * 90),
            )  # fmt: skip
            step["time_limit_hours"] = int(hours) if hours is not None else None
        if step["time_limit_hours"] and not (step["deputy_role"] or step["deputy_user"]):
            errors.add(f"{p}.deputy_user", _("A time limit needs a deputy to escalate to."))
        steps.append(step)
    errors.raise_if_any()
    return out, steps


def _write_steps(flow: Flow, steps: list[dict]) -> None:
    flow.steps.all().delete()
    for i, s in enumerate(steps, start=1):
        users = s.pop("users")
        obj = FlowStep.objects.create(flow=flow, position=i, **s)
        obj.users.set(users)


@transaction.atomic
def flow_create(*, actor, data: dict[str, Any]) -> Flow:
    permissions.require(actor, "approvals.configure")
    fields, steps = _clean_flow(data)
    flow = Flow(**fields)
    flow._history_user = actor
    flow.save()
    _write_steps(flow, steps)
    return flow


@transaction.atomic
def flow_update(*, actor, flow_id: Any, version: Any, data: dict[str, Any]) -> Flow:
    permissions.require(actor, "approvals.configure")
    flow = permissions.get_in_scope(Flow.objects.select_for_update(), pk=flow_id)
    if version is not None and flow.version != version:
        raise StaleVersion(details={"current_version": flow.version, "your_version": version})
    fields, steps = _clean_flow(data)
    for k, v in fields.items():
        setattr(flow, k, v)
    flow.version += 1
    flow._history_user = actor
    flow.save()
    _write_steps(flow, steps)
    return flow


@transaction.atomic
def flow_delete(*, actor, flow_id: Any) -> None:
    """Flows with requests are switched off rather than deleted (the requests keep their copy)."""
    permissions.require(actor, "approvals.configure")
    flow = permissions.get_in_scope(Flow.objects.select_for_update(), pk=flow_id)
    flow._history_user = actor
    if flow.requests.exists():
        flow.active = False
        flow.version += 1
        flow.save()
    else:
        flow.delete()


def flow_for(kind: str) -> Flow | None:
    """The active flow covering ``kind`` (the oldest when several do; flows are few)."""
    return next(
        (f for f in Flow.objects.filter(active=True).order_by("id") if kind in f.kinds), None
    )


def active_kinds() -> set[str]:
    return {k for kinds in Flow.objects.filter(active=True).values_list("kinds", flat=True)
            for k in kinds}  # fmt: skip


# --- requests ------------------------------------------------------------------------------------


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
    allowed = {"due_date", "lines", "drawing_revision"}
    change = {k: payload[k] for k in allowed if payload.get(k) not in (None, "", [])}
    if not change:
        raise ValidationFailed(
            {"payload": _("Name what changes: quantity, due date, lines or drawing revision.")}
        )
    fields, updates, removals, new_lines = _clean_change(order, change)
    if not (fields or updates or removals or new_lines):
        raise ValidationFailed({"payload": _("The change is the same as the order.")})
    return change


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
    ) % {"kind": request.get_kind_display(), "order": request.order.number}
    notify(
        recipients=sorted(ids),
        channels=NOTIFY_CHANNELS,
        subject=subject,
        body=request.reason[:500],
        link=request.link,
        dedupe_key=f"approval:{request.pk}:step:{step.pk}:{'esc' if escalated else 'open'}",
        order=request.order,
        source="approvals",
    )


def _activate(request: Request, step: RequestStep, now) -> None:
    step.status = StepStatus.ACTIVE
    step.activated_at = now
    if step.time_limit_hours:
        step.due_at = now + dt.timedelta(hours=step.time_limit_hours)
    step.save(update_fields=["status", "activated_at", "due_at"])
    _notify_step(request, step, step.approvers.values_list("id", flat=True))


def _advance(request: Request, actor, now) -> None:
    """Activate the next waiting step, or finish the request approved and apply it."""
    nxt = request.steps.filter(status=StepStatus.WAITING).order_by("position").first()
    if nxt is not None:
        _activate(request, nxt, now)
        return
    request.status = RequestStatus.APPROVED
    request.decided_at = now
    _apply(request, actor, now)


@transaction.atomic
def request_create(
    *,
    actor,
    order_id: Any,
    kind: str,
    reason: str,
    payload: dict | None = None,
    now: dt.datetime | None = None,
) -> Request:
    permissions.require(actor, "approvals.request")
    errors = Errors()
    kind = clean_choice(errors, "kind", kind, Kind)
    reason = clean_text(errors, "reason", reason, max_length=2000, required=True)
    errors.raise_if_any()
    order = permissions.get_in_scope(
        permissions.scope_orders(actor, Order.objects.select_for_update(of=("self",))),
        pk=order_id,
    )
    if order.status not in ORDER_STATUS_FOR_KIND[kind]:
        raise WrongOrderStatus(details={"status": order.status, "kind": kind})
    if Request.objects.filter(order=order, kind=kind, status=RequestStatus.PENDING).exists():
        raise DuplicateRequest(details={"kind": kind})
    change = _clean_design_change(order, payload) if kind == Kind.DESIGN_CHANGE else {}
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
    request._history_user = actor
    request.save()
    facts = order_facts(order)
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
                details={"kind": kind, "step": fs.name},
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
    _advance(request, actor, now)
    request.save()
    return request


def _lock_request(actor, request_id: Any) -> Request:
    visible = selectors.request_queryset(actor)
    if not visible.filter(pk=_int(request_id)).exists():
        raise NotFound()
    return Request.objects.select_for_update().select_related("order").get(pk=_int(request_id))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


def _principal(actor, step: RequestStep, now) -> tuple[str, int | None]:
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


@transaction.atomic
def request_decide(
    *,
    actor,
    request_id: Any,
    verdict: str,
    comment: str = "",
    version: Any = None,
    now: dt.datetime | None = None,
) -> Request:
    permissions.require(actor, "approvals.decide")
    errors = Errors()
    verdict = clean_choice(errors, "verdict", verdict, Verdict)
    comment = clean_text(errors, "comment", comment, max_length=2000)
    errors.raise_if_any()
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
        comment=comment, at=now,
    )  # fmt: skip
    if verdict == Verdict.REJECT:
        step.status = StepStatus.REJECTED
        step.decided_at = now
        step.save(update_fields=["status", "decided_at"])
        request.steps.filter(status=StepStatus.WAITING).update(status=StepStatus.CLOSED)
        request.status = RequestStatus.REJECTED
        request.decided_at = now
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
    request.version += 1
    request._history_user = actor
    request.save()
    transaction.on_commit(
        lambda: user_activity.send(sender=Request, user=actor, kind="approval.decided", obj=request)
    )
    return request


def _tell_requester(request: Request) -> None:
    from zhongshu.notify.services import notify

    notify(
        recipients=[request.requested_by_id],
        subject=_("%(kind)s for %(order)s: %(status)s")
        % {
            "kind": request.get_kind_display(),
            "order": request.order.number,
            "status": RequestStatus(request.status).label,
        },
        link=request.link,
        dedupe_key=f"approval:{request.pk}:{request.status}",
        order=request.order,
        source="approvals",
    )


def _apply(request: Request, actor, now) -> None:
    """The approved request's effect, in the deciding transaction."""
    from zhongshu.notify.services import notify

    order = request.order
    if request.kind == Kind.DESIGN_CHANGE:
        from zhongshu.orders.services import order_apply_change

        # reservation, task sheets and the schedule follow through the orders "changed" hooks
        # (approvals.hooks), in this transaction: a refusal there rolls the decision back
        order, _diff = order_apply_change(
            actor=actor, order_id=order.pk, changes=request.payload, system=True,
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
    elif request.kind == Kind.CANCEL_AFTER_CONFIRM:
        from zhongshu.orders.services import order_transition

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


@transaction.atomic
def request_withdraw(*, actor, request_id: Any, version: Any = None) -> Request:
    permissions.require(actor, "approvals.view")
    request = _lock_request(actor, request_id)
    if request.requested_by_id != actor.pk and not permissions.has_role(actor, Role.ADMIN):
        raise permissions.PermissionDenied(details={"action": "approvals.withdraw"})
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
    request._history_user = actor
    request.save()
    return request


# --- escalation (periodic job) -------------------------------------------------------------------


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
                RequestStep.objects.select_for_update()
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


# --- delegation ----------------------------------------------------------------------------------


def _clean_when(errors: Errors, field: str, value: Any) -> dt.datetime | None:
    if value in (None, ""):
        errors.add(field, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time())
    else:
        try:
            parsed = dt.datetime.fromisoformat(normalize_text(str(value)))
        except ValueError:
            errors.add(field, _("Enter a date as YYYY-MM-DD."))
            return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@transaction.atomic
def delegation_create(
    *, actor, to_user: Any, starts_at: Any, ends_at: Any, note: str = ""
) -> Delegation:
    permissions.require(actor, "approvals.decide")
    errors = Errors()
    target = None
    if isinstance(to_user, int):
        target = User.objects.filter(pk=to_user, is_active=True).first()
        if target is None:
            errors.add("to_user", _("Unknown user: %(u)s") % {"u": to_user})
    else:
        target = _user_by_name(errors, "to_user", to_user)
        if target is None and not errors:
            errors.add("to_user", _("This field is required."))
    if target is not None and target.pk == actor.pk:
        errors.add("to_user", _("Choose someone other than yourself."))
    start = _clean_when(errors, "starts_at", starts_at)
    end = _clean_when(errors, "ends_at", ends_at)
    if start and end and end <= start:
        errors.add("ends_at", _("The end must be after the start."))
    if start and end and end - start > dt.timedelta(days=366):
        errors.add("ends_at", _("At most one year."))
    note = clean_text(errors, "note", note, max_length=200)
    errors.raise_if_any()
    d = Delegation(from_user=actor, to_user=target, starts_at=start, ends_at=end, note=note)
    d._history_user = actor
    d.save()
    return d


@transaction.atomic
def delegation_revoke(*, actor, delegation_id: Any) -> Delegation:
    permissions.require(actor, "approvals.view")
    d = permissions.get_in_scope(
        Delegation.objects.select_for_update().filter(Q(from_user=actor)), pk=delegation_id
    )
    if d.revoked_at is None:
        d.revoked_at = timezone.now()
        d._history_user = actor
        d.save()
    return d


# --- attachments ---------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, actor, request_id: Any, upload) -> Attachment:
    """``upload``: a Django UploadedFile. Size ≤ 10 MB; type by content, not by name."""
    permissions.require(actor, "approvals.request")
    request = _lock_request(actor, request_id)
    if request.requested_by_id != actor.pk and not permissions.has_role(actor, Role.ADMIN):
        raise permissions.PermissionDenied(details={"action": "approvals.attach"})
    if request.status != RequestStatus.PENDING:
        raise NotPending(details={"status": request.status})
    if request.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationFailed({"file": _("At most %(n)d files.") % {"n": MAX_ATTACHMENTS}})
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationFailed({"file": _("The file is empty.")})
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(
            {"file": _("The file is larger than %(n)d MB.") % {"n": MAX_ATTACHMENT_BYTES >> 20}}
        )
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        raise ValidationFailed(
            {"file": _("Only PDF, PNG, JPG, DWG, DXF and XLSX files are accepted.")}
        )
    ctype, ext = kind
    name = safe_name(getattr(upload, "name", ""), ext)
    att = Attachment(request=request, name=name, content_type=ctype, size=size, uploaded_by=actor)
    att.file.save(name, upload, save=False)
    att.save()
    return att
