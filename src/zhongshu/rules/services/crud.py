"""Editing rules and follow-ups: validation, create, update, delete, dry run (permission first,
one transaction each)."""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound, ValidationFailed
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_text
from zhongshu.orders.models import Order
from zhongshu.orders.statuses import OPEN, Priority

from .. import compiler
from ..models import (
    CUSTOMER_TRIGGERS,
    Dedupe,
    FollowUp,
    Rule,
    Trigger,
)
from ._common import ACTION_TYPES, CHANNELS, CUSTOMER_ACTION_TYPES, MAX_ACTIONS
from .engine import _forget_compiled


def _clean_triggers(errors: Errors, data: dict) -> tuple[list[str], int]:
    triggers = data.get("triggers")
    if not isinstance(triggers, list) or not triggers:
        errors.add("triggers", _("Choose at least one trigger."))
        triggers = []
    # a trigger is a name: anything else (a list, a number) is named as unknown, never hashed
    bad = [t for t in triggers if not isinstance(t, str) or t not in Trigger.values]
    triggers = [t for t in triggers if isinstance(t, str)]
    if bad:
        errors.add(
            "triggers",
            _("Unknown trigger %(t)s; known: %(known)s")
            % {"t": ", ".join(map(str, bad)), "known": ", ".join(Trigger.values)},
        )
    if any(t in CUSTOMER_TRIGGERS for t in triggers) and any(
        t in Trigger.values and t not in CUSTOMER_TRIGGERS for t in triggers
    ):
        errors.add(
            "triggers",
            _("“Customer tier changed” is about a customer, not an order: it cannot be combined "
              "with order triggers."),
        )  # fmt: skip
    interval = data.get("interval_minutes", 15)
    if isinstance(interval, str) and interval.strip().isdigit():
        interval = int(interval)
    if not isinstance(interval, int) or isinstance(interval, bool) or not 1 <= interval <= 10080:
        errors.add("interval_minutes", _("Enter whole minutes between 1 and 10080."))
        interval = 15
    return [t for t in dict.fromkeys(triggers) if t in Trigger.values], interval


def _str_list(value: Any) -> list[str] | None:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return [normalize_text(v) for v in value if normalize_text(v)]


def _clean_notify(errors: Errors, path: str, action: dict) -> dict[str, Any]:
    """The fields of a notify action: whom (roles, users, the order's owner), how, what."""
    roles, users = _str_list(action.get("roles")), _str_list(action.get("users"))
    if roles is None or any(r not in Role.values for r in roles):
        errors.add(f"{path}.roles", _("Unknown role; known: %(k)s") % {"k": ", ".join(Role)})
        roles = []
    if users is None:
        errors.add(f"{path}.users", _("Expected a list of user names."))
        users = []
    known = set(
        get_user_model().objects.filter(username__in=users).values_list("username", flat=True)
    )
    missing = [u for u in users if u not in known]
    if missing:
        errors.add(f"{path}.users", _("Unknown users: %(u)s") % {"u": ", ".join(missing)})
    owner = action.get("owner", False)
    if not isinstance(owner, bool):
        errors.add(f"{path}.owner", _("true or false is needed"))
        owner = False
    if not roles and not users and not owner:
        errors.add(path, _("Notify whom? Choose roles, users or the order's owner."))
    channel = action.get("channel", "inapp")
    if channel not in CHANNELS:
        errors.add(
            f"{path}.channel",
            _("Unknown channel; known: %(k)s") % {"k": ", ".join(CHANNELS)},
        )
    template = clean_text(errors, f"{path}.template", action.get("template"), max_length=500)
    return {
        "roles": roles,
        "users": users,
        "owner": owner,
        "channel": channel,
        "template": template,
    }


def _clean_action(errors: Errors, path: str, action: Any, triggers: list[str]) -> dict | None:
    customer = any(t in CUSTOMER_TRIGGERS for t in triggers)
    known = CUSTOMER_ACTION_TYPES if customer else ACTION_TYPES
    if not isinstance(action, dict) or action.get("type") not in known:
        errors.add(
            f"{path}.type",
            _("Unknown action; known: %(known)s") % {"known": ", ".join(known)},
        )
        return None
    kind = action["type"]
    out: dict[str, Any] = {"type": kind}
    if kind == "owner_followup":
        days = action.get("due_in_days", 0)
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 365:
            errors.add(f"{path}.due_in_days", _("Enter whole days between 0 and 365."))
        title = clean_text(
            errors, f"{path}.title", action.get("title"), max_length=200, required=True
        )
        out.update(due_in_days=days, title=title)
    elif kind == "add_to_list":
        out["list"] = clean_text(
            errors, f"{path}.list", action.get("list"), max_length=80, required=True
        )
    elif kind == "notify":
        out.update(_clean_notify(errors, path, action))
    elif kind == "block":
        if Trigger.ORDER_SUBMITTED not in triggers:
            errors.add(path, _("Blocking only applies to the trigger “order submitted”."))
        out["message"] = clean_text(
            errors, f"{path}.message", action.get("message"), max_length=300, required=True
        )
    elif kind in ("tag", "route"):
        key = "tag" if kind == "tag" else "queue"
        out[key] = clean_text(
            errors, f"{path}.{key}", action.get(key), max_length=40, required=True
        )
    elif kind == "followup":
        role = action.get("assignee_role")
        if role not in Role.values:
            errors.add(
                f"{path}.assignee_role", _("Unknown role; known: %(k)s") % {"k": ", ".join(Role)}
            )
        days = action.get("due_in_days", 1)
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 365:
            errors.add(f"{path}.due_in_days", _("Enter whole days between 0 and 365."))
        title = clean_text(
            errors, f"{path}.title", action.get("title"), max_length=200, required=True
        )
        out.update(assignee_role=role, due_in_days=days, title=title)
    elif kind == "set_priority":
        priority = action.get("priority")
        if priority not in Priority.values:
            errors.add(
                f"{path}.priority",
                _("Unknown priority; known: %(k)s") % {"k": ", ".join(Priority.values)},
            )
        out["priority"] = priority
    return out


def clean_rule(data: dict[str, Any], *, actor: Actor | None = None) -> dict[str, Any]:
    """Every problem of a rule at once (422), or the normalised fields. Custom fields hidden
    from ``actor`` are unknown to its conditions."""
    if not isinstance(data, dict):
        raise ValidationFailed({"rule": _("Expected an object.")})
    errors = Errors()
    name = clean_text(errors, "name", data.get("name"), max_length=120, required=True)
    description = clean_text(errors, "description", data.get("description"), max_length=2000)
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        errors.add("enabled", _("true or false is needed"))
    triggers, interval = _clean_triggers(errors, data)
    scope = compiler.CUSTOMER if any(t in CUSTOMER_TRIGGERS for t in triggers) else compiler.ORDER
    condition = compiler.validate(
        data.get("condition", {"all": []}), errors, scope=scope, actor=actor
    )
    actions = data.get("actions")
    cleaned_actions = []
    if not isinstance(actions, list) or not actions:
        errors.add("actions", _("Choose at least one action."))
    elif len(actions) > MAX_ACTIONS:
        errors.add("actions", _("At most %(n)d actions.") % {"n": MAX_ACTIONS})
    else:
        cleaned_actions = [
            _clean_action(errors, f"actions[{i}]", a, triggers) for i, a in enumerate(actions)
        ]
    dedupe = data.get("dedupe", Dedupe.DAY)
    if dedupe not in Dedupe.values:
        errors.add("dedupe", _("Choose day or once."))
    errors.raise_if_any()
    return {
        "name": name,
        "description": description,
        "enabled": enabled,
        "triggers": triggers,
        "interval_minutes": interval,
        "condition": condition,
        "actions": cleaned_actions,
        "dedupe": dedupe,
    }


@transaction.atomic
def rule_create(*, actor: Actor, data: dict[str, Any]) -> Rule:
    permissions.require(actor, "rules.manage")
    fields = clean_rule(data, actor=actor)
    rule = Rule(created_by=actor, **fields)
    rule._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    rule.save()
    _forget_compiled()
    return rule


@transaction.atomic
def rule_update(*, actor: Actor, rule_id: Any, data: dict[str, Any]) -> Rule:
    """Replace a rule's definition; fields not given keep their value."""
    permissions.require(actor, "rules.manage")
    rule = permissions.get_in_scope(Rule.objects.select_for_update(), pk=rule_id)
    current = {
        k: getattr(rule, k)
        for k in ("name", "description", "enabled", "triggers", "interval_minutes", "condition",
                  "actions", "dedupe")
    }  # fmt: skip
    fields = clean_rule({**current, **(data if isinstance(data, dict) else {})}, actor=actor)
    for k, v in fields.items():
        setattr(rule, k, v)
    rule._history_user = actor
    rule.save()
    _forget_compiled()
    return rule


@transaction.atomic
def rule_delete(*, actor: Actor, rule_id: Any) -> None:
    permissions.require(actor, "rules.manage")
    rule = permissions.get_in_scope(Rule.objects.all(), pk=rule_id)
    rule._history_user = actor
    rule.delete()
    _forget_compiled()


def dry_run(*, actor: Actor, condition: Any, limit: int = 20) -> dict:
    """Which open orders, of those the user may see, match the condition right now."""
    permissions.require(actor, "rules.view")
    errors = Errors()
    tree = compiler.validate(condition, errors, actor=actor)
    errors.raise_if_any()
    qs = permissions.scope_orders(actor, Order.objects.filter(status__in=OPEN))
    qs = compiler.filter_orders(qs, tree)
    count = qs.count()
    orders = list(qs.select_related("customer").order_by("due_date", "id")[:limit])
    return {"count": count, "orders": orders}


@transaction.atomic
def followup_create(
    *,
    actor: Actor,
    title: Any,
    order: Any = None,
    assignee: Any = None,
    assignee_role: Any = None,
    due_date: Any = None,
    details: Any = "",
) -> FollowUp:
    """A task for a person (``assignee`` user name) or a role; optionally about an order the
    creator can see."""
    permissions.require(actor, "followups.manage")
    errors = Errors()
    title = clean_text(errors, "title", title, max_length=200, required=True)
    details = clean_text(errors, "details", details, max_length=2000)
    order_obj = None
    if order not in (None, ""):
        order_obj = (
            permissions.scope_orders(actor, Order.objects.all())
            .filter(number=normalize_code(order))
            .first()
        )
        if order_obj is None:
            errors.add("order", _("Unknown order: %(n)s") % {"n": order})
    user = None
    if assignee not in (None, ""):
        user = get_user_model().objects.filter(username=str(assignee), is_active=True).first()
        if user is None:
            errors.add("assignee", _("Unknown user: %(u)s") % {"u": assignee})
    role = assignee_role or ""
    if role and role not in Role.values:
        errors.add("assignee_role", _("Unknown role; known: %(k)s") % {"k": ", ".join(Role)})
    if not user and not role:
        errors.add("assignee", _("Assign the task to a person or a role."))
    due = None
    if due_date not in (None, ""):
        try:
            due = (
                due_date if isinstance(due_date, dt.date) else dt.date.fromisoformat(str(due_date))
            )
        except ValueError:
            errors.add("due_date", _("Enter a date as YYYY-MM-DD."))
    errors.raise_if_any()
    return FollowUp.objects.create(
        title=title,
        details=details,
        order=order_obj,
        assignee=user,
        assignee_role=role,
        due_date=due,
        created_by=actor,
    )


@transaction.atomic
def followup_done(*, actor: Actor, followup_id: Any) -> FollowUp:
    """Mark a task done (idempotent: done twice keeps the first time and person)."""
    permissions.require(actor, "followups.view")
    task = permissions.get_in_scope(FollowUp.objects.select_for_update(), pk=followup_id)
    if not permissions.can(actor, "followups.view", task):
        raise NotFound()  # someone else's task: as if it did not exist
    if task.done_at is None:
        task.done_at = timezone.now()
        task.done_by = actor
        task.save(update_fields=["done_at", "done_by"])
    return task
