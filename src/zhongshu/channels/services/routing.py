"""Routing rules: where a converted channel order goes — its sales owner, its queue and its tags.

Rules are data (``RoutingRule``), kept on ``/channels/routing/`` and
``/api/v1/channels/routing-rules``. At conversion the first enabled rule by priority (then id)
whose every filled-in criterion matches the order decides; an order no rule matches keeps the
owner it was created with and no queue. Owners are set through ``orders_assign_owner_many`` (a
timeline event and history row per order), queues and tags through ``rules.orders_route``.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts.models import Region
from zhongshu.core.actors import Actor, recorded
from zhongshu.core.errors import NotFound
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_decimal, clean_text
from zhongshu.customers.models import CustomerTier

from .. import platforms as p
from ..models import ChannelAccount, ChannelKind, RoutingRule

MAX_TAGS = 10


@dataclass(frozen=True)
class Routed:
    """What routing knows of one converted order."""

    order_id: int
    account: ChannelAccount
    amount: Decimal
    tier: str
    region_id: int | None
    skus: frozenset[str]


def _clean_optional_decimal(errors: Errors, field: str, value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not normalize_text(value)):
        return None
    return clean_decimal(errors, field, value, places=2, min_value=Decimal(0))


def _clean_tags(errors: Errors, value: Any) -> list[str]:
    raw = value.split(",") if isinstance(value, str) else list(value or [])
    tags = [normalize_text(t) for t in raw if isinstance(t, str) and normalize_text(t)]
    if len(raw) != len([t for t in raw if isinstance(t, str)]) or len(tags) > MAX_TAGS:
        errors.add("tags", _("At most %(n)d tags, each a text.") % {"n": MAX_TAGS})
    if any(len(t) > 40 for t in tags):
        errors.add("tags", _("At most %(n)d characters.") % {"n": 40})
    return list(dict.fromkeys(tags))


def _clean_refs(errors: Errors, data: dict) -> dict:
    out: dict[str, Any] = {"account": None, "region": None, "owner": None}
    if data.get("account") not in (None, ""):
        out["account"] = ChannelAccount.objects.filter(pk=_int(data["account"])).first()
        if out["account"] is None:
            errors.add("account", _("Unknown shop."))
    if normalize_text(data.get("region")):
        out["region"] = Region.objects.filter(name=normalize_text(data["region"])).first()
        if out["region"] is None:
            errors.add("region", _("Unknown region."))
    if data.get("owner") not in (None, ""):
        owner = get_user_model().objects.filter(pk=_int(data["owner"]), is_active=True).first()
        if owner is None or not permissions.can(owner, "orders.own"):
            errors.add("owner", _("This user cannot be the sales owner of the order."))
        out["owner"] = owner
    return out


def _clean_priority(errors: Errors, raw: Any) -> int:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 100
    try:
        priority = int(str(raw).strip()) if not isinstance(raw, bool | float) else -1
    except ValueError:
        priority = -1
    if not 0 <= priority <= 100_000:
        errors.add("priority", _("Enter a whole number from 0 to 100000."))
        return 100
    return priority


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def clean_routing_rule(data: dict) -> dict:
    """The fields of a routing rule from form or API data; raises ``ValidationFailed`` naming
    every bad field."""
    errors = Errors()
    c: dict[str, Any] = {
        "name": clean_text(errors, "name", data.get("name"), max_length=80, required=True),
        "enabled": bool(data.get("enabled", True)),
        "sku": clean_text(errors, "sku", data.get("sku"), max_length=64),
        "queue": clean_text(errors, "queue", data.get("queue"), max_length=40),
        "tags": _clean_tags(errors, data.get("tags")),
    }
    c["priority"] = _clean_priority(errors, data.get("priority"))
    c["channel"] = ""
    if normalize_text(data.get("channel")):
        c["channel"] = clean_choice(errors, "channel", data.get("channel"), ChannelKind) or ""
    c["customer_tier"] = ""
    if normalize_text(data.get("customer_tier")):
        c["customer_tier"] = (
            clean_choice(errors, "customer_tier", data.get("customer_tier"), CustomerTier) or ""
        )
    c["min_amount"] = _clean_optional_decimal(errors, "min_amount", data.get("min_amount"))
    c["max_amount"] = _clean_optional_decimal(errors, "max_amount", data.get("max_amount"))
    low, high = c["min_amount"], c["max_amount"]
    if low is not None and high is not None and low > high:
        errors.add("max_amount", _("The upper amount must not be below the lower one."))
    c.update(_clean_refs(errors, data))
    if c["account"] is not None and c["channel"] and c["account"].kind != c["channel"]:
        errors.add("account", _("The shop belongs to another channel."))
    if not (c["owner"] or c["queue"] or c["tags"]):
        errors.add("queue", _("A rule must set an owner, a queue or tags."))
    errors.raise_if_any()
    return c


@transaction.atomic
def routing_rule_save(*, actor: Actor, data: dict, rule_id: Any = None) -> RoutingRule:
    """Create a routing rule, or change one (``rule_id``); audited through its history."""
    permissions.require(actor, "channels.routing")
    c = clean_routing_rule(data)
    rule = RoutingRule() if rule_id is None else _get(rule_id, lock=True)
    for key, value in c.items():
        setattr(rule, key, value)
    rule.updated_by = recorded(actor)
    rule.save()
    return rule


def _get(rule_id: Any, *, lock: bool = False) -> RoutingRule:
    qs = RoutingRule.objects.select_for_update() if lock else RoutingRule.objects.all()
    try:
        return qs.get(pk=int(rule_id))
    except (RoutingRule.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


@transaction.atomic
def routing_rule_delete(*, actor: Actor, rule_id: Any) -> None:
    permissions.require(actor, "channels.routing")
    _get(rule_id, lock=True).delete()


def matches(rule: RoutingRule, o: Routed) -> bool:
    """Every criterion the rule fills in holds for the order (empty ones match anything)."""
    return (
        (not rule.channel or rule.channel == o.account.kind)
        and (rule.account_id is None or rule.account_id == o.account.pk)
        and (not rule.customer_tier or rule.customer_tier == o.tier)
        and (rule.min_amount is None or o.amount >= rule.min_amount)
        and (rule.max_amount is None or o.amount <= rule.max_amount)
        and (rule.region_id is None or rule.region_id == o.region_id)
        and (not rule.sku or rule.sku in o.skus)
    )


def first_match(rules: list[RoutingRule], o: Routed) -> RoutingRule | None:
    return next((r for r in rules if matches(r, o)), None)


def skus_of(ext: p.ExternalOrder) -> frozenset[str]:
    return frozenset(s for ln in ext.lines for s in (ln.sku_id, ln.outer_sku) if s)


def route_converted(*, bot: Actor, orders: list[Routed]) -> dict[int, RoutingRule]:
    """Apply the first matching rule to each converted order (in the caller's transaction):
    owners in one call per owner, queue and tags in one call per rule. Returns the rule that
    routed each order."""
    rules = list(RoutingRule.objects.filter(enabled=True).order_by("priority", "id"))
    if not rules or not orders:
        return {}
    chosen = {o.order_id: r for o in orders if (r := first_match(rules, o)) is not None}
    by_rule: dict[int, list[int]] = defaultdict(list)
    for oid, rule in chosen.items():
        by_rule[rule.pk].append(oid)
    from zhongshu.orders.bulk import orders_assign_owner_many
    from zhongshu.rules.services import orders_route

    for rule in rules:
        ids = by_rule.get(rule.pk)
        if not ids:
            continue
        if rule.owner_id:
            orders_assign_owner_many(
                actor=bot, order_ids=ids, owner_id=rule.owner_id, system=True,
                note=_("Routed by %(rule)s") % {"rule": rule.name},
            )  # fmt: skip
        orders_route(order_ids=ids, queue=rule.queue, tags=rule.tags)
    return chosen
