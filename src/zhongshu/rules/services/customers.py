"""Customer rules: tier changes, owner follow-ups and customer lists."""

import datetime as dt
import uuid
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from zhongshu.accounts.roles import Role
from zhongshu.orders.models import Order

from ..facts import customer_facts
from ..models import (
    CustomerList,
    CustomerListMember,
    CustomerRuleHit,
    Dedupe,
    FollowUp,
    Rule,
    Trigger,
)
from ._common import CUSTOMER_TEMPLATE_KEYS
from .actions import render
from .engine import predicate, rules_for


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
