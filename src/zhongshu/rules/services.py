"""Rules use cases: editing rules and follow-ups (permission first, one transaction each), and the
engine that checks rules on order events, stock changes and schedules and runs their actions.

Guarantees:

* a rule acts on an order at most once per dedupe key (the day, or ever): ``RuleHit`` rows are
  inserted with the database's unique constraint deciding, so concurrent workers cannot double up;
* blocking happens inside the submit transaction (a refusal, the order stays draft); every other
  action runs after the triggering change committed, in its own transaction with its hit row;
* a refused submission still gets the blocking rule's other actions (e.g. the purchasing
  follow-up): they are kept aside and run once the refused transaction has rolled back — at the
  end of the request, or when the caller calls ``run_deferred()`` (worker, scripts).
"""

import datetime as dt
import logging
import re
import threading
import uuid
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role
from zhongshu.core.errors import NotFound, ValidationFailed
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_text
from zhongshu.orders.models import Order, OrderEvent, OrderLine
from zhongshu.orders.statuses import OPEN, Priority

from . import compiler, custom
from .exceptions import RuleBlocked
from .facts import customer_facts, order_facts
from .models import (
    CUSTOMER_TRIGGERS,
    CustomerList,
    CustomerListMember,
    CustomerRuleHit,
    Dedupe,
    FollowUp,
    OrderTag,
    Rule,
    RuleHit,
    RuleSetVersion,
    Trigger,
)

log = logging.getLogger(__name__)

CHANNELS = ("wecom", "dingtalk", "feishu", "email", "inapp")
ACTION_TYPES = ("notify", "block", "tag", "route", "followup", "set_priority")
# actions of customer rules (trigger "customer tier changed")
CUSTOMER_ACTION_TYPES = ("owner_followup", "add_to_list")
MAX_ACTIONS = 10
TEMPLATE_KEYS = (
    "number", "customer", "customer_name", "customer_region", "due_date", "days_to_due", "status",
    "priority", "channel", "amount", "shortage_qty", "shortage", "rule",
)  # fmt: skip
CUSTOMER_TEMPLATE_KEYS = (
    "customer", "customer_name", "customer_region", "tier", "previous_tier", "expected_next",
    "rule",
)  # fmt: skip
PLACEHOLDER = re.compile(r"\{(\w+)\}")


# --- validation -----------------------------------------------------------------------------------


def _clean_triggers(errors: Errors, data: dict) -> tuple[list[str], int]:
    triggers = data.get("triggers")
    if not isinstance(triggers, list) or not triggers:
        errors.add("triggers", _("Choose at least one trigger."))
        triggers = []
    bad = [t for t in triggers if t not in Trigger.values]
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
        out.update(roles=roles, users=users, owner=owner, channel=channel, template=template)
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


def clean_rule(data: dict[str, Any], *, actor=None) -> dict[str, Any]:
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


# --- rule CRUD ------------------------------------------------------------------------------------


@transaction.atomic
def rule_create(*, actor, data: dict[str, Any]) -> Rule:
    permissions.require(actor, "rules.manage")
    fields = clean_rule(data, actor=actor)
    rule = Rule(created_by=actor, **fields)
    rule._history_user = actor
    rule.save()
    _forget_compiled()
    return rule


@transaction.atomic
def rule_update(*, actor, rule_id: Any, data: dict[str, Any]) -> Rule:
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
def rule_delete(*, actor, rule_id: Any) -> None:
    permissions.require(actor, "rules.manage")
    rule = permissions.get_in_scope(Rule.objects.all(), pk=rule_id)
    rule._history_user = actor
    rule.delete()
    _forget_compiled()


def dry_run(*, actor, condition: Any, limit: int = 20) -> dict:
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


# --- follow-ups -----------------------------------------------------------------------------------


@transaction.atomic
def followup_create(
    *,
    actor,
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
def followup_done(*, actor, followup_id: Any) -> FollowUp:
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


# --- the engine -----------------------------------------------------------------------------------

_compiled: dict[tuple, Any] = {}
_local = threading.local()


# the enabled rules as last loaded by this process: (version token, [Rule, …] in id order)
_enabled: tuple[str, list[Rule]] | None = None


def _forget_compiled() -> None:
    global _enabled
    _compiled.clear()
    _enabled = None


def _version() -> str | None:
    """The rule set's version (one indexed single-row read; see ``RuleSetVersion``), or None
    when there is none (a flushed test database, a database without the triggers). Compiled
    conditions on custom fields depend on the fields' definitions (their type), so the latest
    change of a definition is part of the version: every change through the custom-field
    services saves the definition, which moves its ``updated_at``."""
    with connection.cursor() as cur:
        cur.execute(_version_sql())
        row = cur.fetchone()
    return f"{row[0]}:{row[1]}" if row and row[0] else None


def _version_sql() -> str:
    from zhongshu.customfields.models import FieldDefinition

    qn = connection.ops.quote_name
    table = qn(RuleSetVersion._meta.db_table)
    fields = qn(FieldDefinition._meta.db_table)
    return f"SELECT token, (SELECT MAX({qn('updated_at')}) FROM {fields}) FROM {table} WHERE id = 1"


def enabled_rules() -> list[Rule]:
    """The enabled rules in id order, conditions compiled. Cached per process and reloaded when
    the rule set's version token differs — every rule write changes it (database triggers), so
    the next event in every process sees a change. Callers must not modify the instances."""
    global _enabled
    token = _version()
    cached = _enabled
    if token is not None and cached is not None and cached[0] == token:
        return cached[1]
    rules = list(Rule.objects.filter(enabled=True).order_by("id"))
    # a new version may be a changed custom field: compile every condition again (few rules)
    _compiled.clear()
    definitions = None
    if any(custom.used(r.condition) for r in rules):
        definitions = custom.all_definitions()
    for rule in rules:
        predicate(rule, definitions=definitions)
    if token is not None:
        _enabled = (token, rules)
    return rules


def predicate(rule: Rule, *, definitions: dict | None = None):
    key = (rule.pk, rule.updated_at)
    fn = _compiled.get(key)
    if fn is None:
        fn = compiler.to_predicate(rule.condition, definitions=definitions)
        _compiled[key] = fn
    return fn


def rules_for(trigger: str) -> list[Rule]:
    # few rules: filtered in Python (JSON containment is not portable to SQLite)
    return [r for r in enabled_rules() if trigger in r.triggers]


def _blocks(rule: Rule) -> bool:
    return any(a["type"] == "block" for a in rule.actions)


def _hit_key(rule: Rule, today: dt.date) -> str:
    return "once" if rule.dedupe == Dedupe.ONCE else today.isoformat()


def render(template: str, facts: dict, rule: Rule, keys=TEMPLATE_KEYS) -> str:
    values = {k: facts.get(k, "") for k in keys}
    values["rule"] = rule.name
    values["shortage"] = "; ".join(
        f"{s['material']} −{format(s['short'].normalize(), 'f')}"
        for s in facts.get("shortage_lines", [])
    )

    def sub(m):
        return str(values[m.group(1)]) if m.group(1) in values else m.group(0)

    return PLACEHOLDER.sub(sub, template or "")


def fire(rule: Rule, order_ids, *, trigger: str, blocked: bool = False) -> list[int]:
    """Record hits for the orders (dedupe decides) and run the rule's non-blocking actions for
    the orders that are new today. Returns the ids acted on."""
    order_ids = sorted(set(order_ids))
    if not order_ids:
        return []
    today = timezone.localdate()
    key = _hit_key(rule, today)
    run = uuid.uuid4().hex
    with transaction.atomic():
        RuleHit.objects.bulk_create(
            [
                RuleHit(rule=rule, order_id=o, key=key, trigger=trigger, run=run, blocked=blocked)
                for o in order_ids
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        new = list(
            RuleHit.objects.filter(run=run).order_by("order_id").values_list("order_id", flat=True)
        )
        if new:
            _run_actions(rule, new, key)
    return new


def _run_actions(rule: Rule, order_ids: list[int], key: str) -> None:
    actions = [a for a in rule.actions if a["type"] != "block"]
    if not actions:
        return
    facts = order_facts(order_ids)
    for action in actions:
        ACTIONS[action["type"]](rule, action, order_ids, facts, key)


def _notify(rule, action, order_ids, facts, key):
    try:
        from zhongshu.notify.services import notify
    except ImportError:  # the outbox is not installed: nothing to send through
        log.warning("rule %s: no notification outbox installed", rule.pk)
        return
    users = list(get_user_model().objects.filter(username__in=action.get("users") or []))
    orders = Order.objects.in_bulk(order_ids)
    owners = get_user_model().objects.in_bulk({o.sales_owner_id for o in orders.values()})
    for order_id in order_ids:
        order, f = orders[order_id], facts[order_id]
        recipients = list(users)
        if action.get("owner"):
            recipients.append(owners[order.sales_owner_id])
        body = render(action.get("template") or "", f, rule) or rule.name
        notify(
            recipients=recipients,
            roles=action.get("roles") or (),
            channels=(action["channel"],),
            subject=f"{rule.name} · {order.number}"[:200],
            body=body,
            link=f"/orders/{order.pk}/",
            dedupe_key=f"rule:{rule.pk}:order:{order.pk}:{key}:{action['channel']}",
            order=order,
            source=f"rule:{rule.pk}",
        )


def _tag(rule, action, order_ids, facts, key):
    kind = OrderTag.Kind.TAG if action["type"] == "tag" else OrderTag.Kind.QUEUE
    value = action["tag"] if action["type"] == "tag" else action["queue"]
    if kind == OrderTag.Kind.QUEUE:  # an order sits in one queue: the latest routing wins
        OrderTag.objects.filter(order_id__in=order_ids, kind=kind).exclude(tag=value).delete()
    OrderTag.objects.bulk_create(
        [OrderTag(order_id=o, kind=kind, tag=value, rule=rule) for o in order_ids],
        ignore_conflicts=True,
    )


def _followup(rule, action, order_ids, facts, key):
    due = timezone.localdate() + dt.timedelta(days=action.get("due_in_days", 1))
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                title=render(action["title"], facts[o], rule)[:200],
                details=render("{shortage}", facts[o], rule),
                order_id=o,
                assignee_role=action["assignee_role"],
                due_date=due,
                rule=rule,
                dedupe_key=f"rule:{rule.pk}:order:{o}:{key}",
            )
            for o in order_ids
        ],
        ignore_conflicts=True,
    )


def _set_priority(rule, action, order_ids, facts, key):
    priority = action["priority"]
    changed = list(
        Order.objects.filter(pk__in=order_ids)
        .exclude(priority=priority)
        .values_list("pk", "priority")
    )
    if not changed:
        return
    Order.objects.filter(pk__in=[pk for pk, _p in changed]).update(
        priority=priority, version=F("version") + 1, updated_at=timezone.now()
    )
    OrderEvent.objects.bulk_create(
        [
            OrderEvent(
                order_id=pk,
                action="rule",
                note=rule.name,
                data={
                    "rule": rule.pk,
                    "before": {"priority": old},
                    "after": {"priority": priority},
                },
            )
            for pk, old in changed
        ]
    )


ACTIONS = {
    "notify": _notify,
    "tag": _tag,
    "route": _tag,
    "followup": _followup,
    "set_priority": _set_priority,
}


def check_event(trigger: str, order_ids, *, include_blocking: bool = False) -> dict[int, list]:
    """Evaluate the rules of an event trigger on the orders in Python and fire the matches."""
    rules = [r for r in rules_for(trigger) if include_blocking or not _blocks(r)]
    if not rules:
        return {}
    need = set().union(*(compiler.fields_used(r.condition) for r in rules))
    facts = order_facts(order_ids, need=need)
    fired = {}
    for rule in rules:
        fn = predicate(rule)
        matched = [oid for oid, f in facts.items() if fn(f)]
        fired[rule.pk] = fire(rule, matched, trigger=trigger)
    return fired


def check_submission(order: Order) -> None:
    """Inside the submit transaction: refuse when a blocking rule matches. The blocking rules'
    other actions are kept for ``run_deferred`` (they must survive the rollback)."""
    refused = check_submissions([order])
    if refused:
        raise refused[order.pk]


def check_submissions(orders) -> dict[int, RuleBlocked]:
    """``check_submission`` for many orders at once (bulk submission): the facts of all of them
    in one load, the refusal of each blocked order by its id, the deferred actions recorded for
    every refused order."""
    rules = [r for r in rules_for(Trigger.ORDER_SUBMITTED) if _blocks(r)]
    if not rules or not orders:
        return {}
    need = set().union(*(compiler.fields_used(r.condition) for r in rules))
    all_facts = order_facts([o.pk for o in orders], need=need)
    refused: dict[int, RuleBlocked] = {}
    for order in orders:
        facts = all_facts[order.pk]
        matched = [r for r in rules if predicate(r)(facts)]
        if not matched:
            continue
        messages = [next(a["message"] for a in r.actions if a["type"] == "block") for r in matched]
        pending = getattr(_local, "deferred", None)
        if pending is None:
            pending = _local.deferred = []
        pending.extend((r.pk, order.pk) for r in matched)
        details: dict[str, Any] = {
            "reasons": messages,
            "rules": [{"id": r.pk, "name": r.name} for r in matched],
        }
        if facts.get("shortage_lines"):
            from zhongshu.inventory.ledger import fmt

            details["shortages"] = [
                {"material": s["material"], "short": fmt(s["short"])}
                for s in facts["shortage_lines"]
            ]
        refused[order.pk] = RuleBlocked(" ".join(messages), details=details)
    return refused


def run_deferred(**kwargs) -> int:
    """Run the non-blocking actions of rules that refused a submission in this thread. Safe to
    call any time outside the refused transaction; a no-op when there is nothing pending."""
    pending = getattr(_local, "deferred", None)
    if not pending:
        return 0
    conn = transaction.get_connection()
    if conn.in_atomic_block and conn.needs_rollback:
        return 0  # still inside the refused transaction: the next call runs them
    _local.deferred = []
    done = 0
    rules = Rule.objects.in_bulk({rule_id for rule_id, _o in pending})
    by_rule = defaultdict(set)
    for rule_id, order_id in pending:
        by_rule[rule_id].add(order_id)
    for rule_id, orders in by_rule.items():
        rule = rules.get(rule_id)
        if rule is None:
            continue
        existing = set(Order.objects.filter(pk__in=orders).values_list("pk", flat=True))
        try:
            done += len(fire(rule, existing, trigger=Trigger.ORDER_SUBMITTED, blocked=True))
        except Exception:
            log.exception("deferred actions of rule %s failed", rule_id)
    return done


def scan_rule(rule: Rule, *, today: dt.date | None = None) -> list[int]:
    """One set-based query for the open orders matching the rule, then fire."""
    qs = compiler.filter_orders(Order.objects.filter(status__in=OPEN), rule.condition, today=today)
    ids = list(qs.order_by().values_list("pk", flat=True))
    return fire(rule, ids, trigger=Trigger.SCHEDULE)


def scan_due_rules(*, now: dt.datetime | None = None) -> dict[int, int]:
    """The periodic job: scan every enabled scheduled rule whose interval has passed. Each rule
    is claimed with a conditional update, so two workers never scan the same rule twice."""
    now = now or timezone.now()
    done = {}
    for rule in Rule.objects.filter(enabled=True).order_by("id"):
        if not rule.is_scheduled:
            continue
        last = rule.last_scan_at
        if last is not None and last + dt.timedelta(minutes=rule.interval_minutes) > now:
            continue
        claimed = (
            Rule.objects.filter(pk=rule.pk)
            .filter(Q(last_scan_at__isnull=True) if last is None else Q(last_scan_at=last))
            .update(last_scan_at=now)
        )
        if not claimed:
            continue
        try:
            done[rule.pk] = len(scan_rule(rule))
        except Exception:
            log.exception("scan of rule %s failed", rule.pk)
    return done


def check_stock_change(material_ids) -> dict[int, list]:
    """Rules with the stock.changed trigger, on the open orders using those materials."""
    rules = rules_for(Trigger.STOCK_CHANGED)
    if not rules or not material_ids:
        return {}
    uses = OrderLine.objects.filter(order=OuterRef("pk"), material_id__in=list(material_ids))
    base = Order.objects.filter(status__in=OPEN).filter(Exists(uses))
    fired = {}
    for rule in rules:
        ids = list(compiler.filter_orders(base, rule.condition).values_list("pk", flat=True))
        fired[rule.pk] = fire(rule, ids, trigger=Trigger.STOCK_CHANGED)
    return fired


# --- customer rules (trigger "customer tier changed") ---------------------------------------------


def check_tier_changes(changes) -> dict[int, list[int]]:
    """Called after a segment recomputation committed (``analytics.segments.on_tier_change``)
    with the customers whose tier changed: evaluate the enabled tier-change rules and fire."""
    rules = rules_for(Trigger.CUSTOMER_TIER_CHANGED)
    if not rules or not changes:
        return {}
    facts = customer_facts(changes)
    fired = {}
    for rule in rules:
        fn = predicate(rule)
        matched = [cid for cid, f in facts.items() if fn(f)]
        fired[rule.pk] = fire_customers(rule, matched, facts)
    return fired


def _customer_hit_key(rule: Rule, tier: str, today: dt.date) -> str:
    return f"{tier}:{'once' if rule.dedupe == Dedupe.ONCE else today.isoformat()}"


def fire_customers(rule: Rule, customer_ids, facts: dict) -> list[int]:
    """Record hits (the unique constraint decides) and run the actions for the customers this
    run inserted: a rerun, or a second worker, finds the hits and does nothing."""
    customer_ids = sorted(set(customer_ids))
    if not customer_ids:
        return []
    today = timezone.localdate()
    run = uuid.uuid4().hex
    with transaction.atomic():
        CustomerRuleHit.objects.bulk_create(
            [
                CustomerRuleHit(
                    rule=rule,
                    customer_id=c,
                    key=_customer_hit_key(rule, facts[c]["tier"], today),
                    trigger=Trigger.CUSTOMER_TIER_CHANGED,
                    previous_tier=facts[c]["previous_tier"] or "",
                    tier=facts[c]["tier"],
                    run=run,
                )
                for c in customer_ids
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        hits = dict(CustomerRuleHit.objects.filter(run=run).values_list("customer_id", "key"))
        new = sorted(hits)
        for action in rule.actions:
            handler = CUSTOMER_ACTIONS.get(action["type"])
            if handler and new:
                handler(rule, action, new, facts, hits, today)
    return new


def account_owners(customer_ids, facts: dict) -> dict[int, list[int]]:
    """Who follows a customer up: the sales owner of the customer's latest order (if still
    active); otherwise the active sales users holding the customer's region. Two queries."""
    User = get_user_model()
    latest = (
        Order.objects.filter(customer=OuterRef("pk"), sales_owner__is_active=True)
        .order_by("-created_at", "-id")
        .values("sales_owner_id")[:1]
    )
    from zhongshu.customers.models import Customer

    owners = dict(
        Customer.objects.filter(pk__in=list(customer_ids))
        .annotate(owner=Subquery(latest))
        .values_list("pk", "owner")
    )
    out = {c: [o] for c, o in owners.items() if o is not None}
    regions = {facts[c]["region_id"] for c in customer_ids if c not in out}
    if regions:
        by_region = defaultdict(list)
        for user_id, region_id in (
            User.objects.filter(
                is_active=True, groups__name=Role.SALES, profile__regions__in=regions
            )
            .order_by("pk")
            .values_list("pk", "profile__regions")
            .distinct()
        ):
            by_region[region_id].append(user_id)
        for c in customer_ids:
            if c not in out and by_region.get(facts[c]["region_id"]):
                out[c] = by_region[facts[c]["region_id"]]
    return out


def _tier_label(tier: str) -> str:
    from zhongshu.customers.models import CustomerTier

    return str(dict(CustomerTier.choices).get(tier, tier or ""))


def _owner_followup(rule, action, customer_ids, facts, hits, today):
    """A follow-up for the account owner, due at the customer's expected next-order date (when
    that date is unknown or already past — a churn risk is overdue by definition — due
    ``due_in_days`` from today). Without any owner: the sales role."""
    owners = account_owners(customer_ids, facts)
    tasks = []
    for c in customer_ids:
        f = facts[c]
        expected = f["expected_next"]
        due = (
            expected
            if expected is not None and expected >= today
            else today + dt.timedelta(days=action.get("due_in_days", 0))
        )
        shown = {
            **f,
            "tier": _tier_label(f["tier"]),
            "previous_tier": _tier_label(f["previous_tier"]),
            "expected_next": expected.isoformat() if expected else "",
        }
        title = render(action["title"], shown, rule, keys=CUSTOMER_TEMPLATE_KEYS)[:200]
        base = f"rule:{rule.pk}:cust:{c}:{hits[c]}"
        common = {"title": title, "customer_id": c, "due_date": due, "rule": rule}
        users = owners.get(c) or []
        tasks += [FollowUp(assignee_id=u, dedupe_key=f"{base}:u{u}", **common) for u in users]
        if not users:
            tasks.append(FollowUp(assignee_role=Role.SALES, dedupe_key=base, **common))
    FollowUp.objects.bulk_create(tasks, ignore_conflicts=True)


def _add_to_list(rule, action, customer_ids, facts, hits, today):
    target, _created = CustomerList.objects.get_or_create(name=action["list"])
    CustomerListMember.objects.bulk_create(
        [
            CustomerListMember(
                customer_list=target, customer_id=c, rule=rule, tier=facts[c]["tier"]
            )
            for c in customer_ids
        ],
        ignore_conflicts=True,
    )


CUSTOMER_ACTIONS = {"owner_followup": _owner_followup, "add_to_list": _add_to_list}
