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

from ._common import (
    ACTION_TYPES,
    CHANNELS,
    CUSTOMER_ACTION_TYPES,
    CUSTOMER_TEMPLATE_KEYS,
    MAX_ACTIONS,
    PLACEHOLDER,
    TEMPLATE_KEYS,
    log,
)
from .actions import (
    ACTIONS,
    fire,
    orders_route,
    render,
)
from .crud import (
    clean_rule,
    dry_run,
    followup_create,
    followup_done,
    rule_create,
    rule_delete,
    rule_update,
)
from .customers import (
    CUSTOMER_ACTIONS,
    account_owners,
    check_tier_changes,
    fire_customers,
)
from .engine import (
    check_event,
    check_stock_change,
    check_submission,
    check_submissions,
    enabled_rules,
    predicate,
    rules_for,
    run_deferred,
    scan_due_rules,
    scan_rule,
)

__all__ = [
    "ACTIONS",
    "ACTION_TYPES",
    "CHANNELS",
    "CUSTOMER_ACTIONS",
    "CUSTOMER_ACTION_TYPES",
    "CUSTOMER_TEMPLATE_KEYS",
    "MAX_ACTIONS",
    "PLACEHOLDER",
    "TEMPLATE_KEYS",
    "account_owners",
    "check_event",
    "check_stock_change",
    "check_submission",
    "check_submissions",
    "check_tier_changes",
    "clean_rule",
    "dry_run",
    "enabled_rules",
    "fire",
    "fire_customers",
    "followup_create",
    "followup_done",
    "log",
    "orders_route",
    "predicate",
    "render",
    "rule_create",
    "rule_delete",
    "rule_update",
    "rules_for",
    "run_deferred",
    "scan_due_rules",
    "scan_rule",
]
