"""The engine: the enabled rules (cached per process by version token), checking them on order
events, submissions, stock changes and schedules."""

import datetime as dt
import threading
from collections import defaultdict
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from zhongshu.core import demo
from zhongshu.orders.models import Order, OrderLine
from zhongshu.orders.statuses import OPEN

from .. import compiler, custom
from ..exceptions import RuleBlocked
from ..facts import order_facts
from ..models import (
    Rule,
    RuleSetVersion,
    Trigger,
)
from ._common import log
from .actions import _blocks, fire

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
    if demo.replaying():
        # the demo replays history that happened before the shipped rules existed: as with the
        # history import, they neither block nor act on it (rules made by the demo still do)
        return [r for r in _enabled_rules() if not r.builtin_key]
    return _enabled_rules()


def _enabled_rules() -> list[Rule]:
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
