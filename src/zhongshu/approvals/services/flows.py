"""Approval flows (admin): their steps, conditions and who approves each step."""

import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role
from zhongshu.core.actors import Actor
from zhongshu.core.errors import StaleVersion
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_decimal, clean_text
from zhongshu.orders.models import Order

from ..models import (
    Flow,
    FlowStep,
    Kind,
    Mode,
    When,
)
from ._common import User

MAX_STEPS = 10
# approvers hear of a request in their inbox, from the factory's chat app as a person (an app
# channel only sends when that app is enabled and knows the approver) and in the company's chat
# groups (a robot channel only sends when an enabled robot of that kind is configured)
NOTIFY_CHANNELS = (
    "inapp", "wecom_app", "dingtalk_app", "feishu_app", "wecom", "dingtalk", "feishu",
)  # fmt: skip
# where a message's link says it was opened from (``?via=``, recorded with the decision): each
# channel's own link, so a tap in WeCom records "wecom" and one in the inbox "inbox"
VIA_OF_CHANNEL = {
    "inapp": "inbox",
    "wecom_app": "wecom", "wecom": "wecom",
    "dingtalk_app": "dingtalk", "dingtalk": "dingtalk",
    "feishu_app": "feishu", "feishu": "feishu",
}  # fmt: skip


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
    for field, needed_by, digits in (
        ("discount_threshold", {Kind.DISCOUNT_ABOVE}, 5),
        ("amount_threshold", {Kind.AMOUNT_ABOVE, Kind.PURCHASE_AMOUNT}, 16),
    ):
        raw = data.get(field)
        if raw in (None, ""):
            out[field] = None
            if needed_by & set(out["kinds"]):
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
def flow_create(*, actor: Actor, data: dict[str, Any]) -> Flow:
    permissions.require(actor, "approvals.configure")
    fields, steps = _clean_flow(data)
    flow = Flow(**fields)
    flow._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    flow.save()
    _write_steps(flow, steps)
    return flow


@transaction.atomic
def flow_update(*, actor: Actor, flow_id: Any, version: Any, data: dict[str, Any]) -> Flow:
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
def flow_delete(*, actor: Actor, flow_id: Any) -> None:
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
