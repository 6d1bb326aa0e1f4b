"""What a matching order rule does: one hit row per dedupe key, then its actions (notify, tag,
route, follow-up, priority)."""

import datetime as dt
import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhongshu.orders.models import Order, OrderEvent

from ..facts import order_facts
from ..models import (
    Dedupe,
    FollowUp,
    OrderTag,
    Rule,
    RuleHit,
)
from ._common import PLACEHOLDER, TEMPLATE_KEYS, log


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
    _put(order_ids, kind, value, rule)


def _put(order_ids, kind: str, value: str, rule: Rule | None) -> None:
    if kind == OrderTag.Kind.QUEUE:  # an order sits in one queue: the latest routing wins
        OrderTag.objects.filter(order_id__in=order_ids, kind=kind).exclude(tag=value).delete()
    OrderTag.objects.bulk_create(
        [OrderTag(order_id=o, kind=kind, tag=value, rule=rule) for o in order_ids],
        ignore_conflicts=True,
    )


def orders_route(*, order_ids: list[int], queue: str = "", tags: list[str] | tuple = ()) -> None:
    """Put orders in ``queue`` (leaving the queue they were in) and add ``tags``: what channel
    routing decides at conversion, in the caller's transaction (not a rule: no hit row)."""
    if not order_ids:
        return
    if queue:
        _put(order_ids, OrderTag.Kind.QUEUE, queue[:40], None)
    for tag in dict.fromkeys(tags):
        _put(order_ids, OrderTag.Kind.TAG, tag[:40], None)


def _tell_assignees(rule, action, order_ids, facts, key):
    """The people holding the follow-up's role hear of it in person — their chat app, else the
    inbox — not only through the to-do list."""
    try:
        from zhongshu.notify.services import notify
    except ImportError:  # the outbox is not installed
        return
    for o in order_ids:
        title = render(action["title"], facts[o], rule)[:200]
        notify(
            roles=[action["assignee_role"]],
            channels=("app",),
            subject=title,
            body=render("{shortage}", facts[o], rule),
            link=f"/orders/{o}/",
            dedupe_key=f"rule:{rule.pk}:order:{o}:{key}:followup",
            order=o,
            source=f"rule:{rule.pk}",
        )


def _followup(rule, action, order_ids, facts, key):
    due = timezone.localdate() + dt.timedelta(days=action.get("due_in_days", 1))
    _tell_assignees(rule, action, order_ids, facts, key)
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
