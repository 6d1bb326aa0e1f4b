"""A customer's tier changed: the hook that analytics calls after a recomputation commits, and that
other apps listen to (rules schedule follow-ups). It lives here, with the customers, so a listener
need not import analytics, and analytics need not know who listens.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TierChange:
    customer_id: int
    previous_tier: str
    tier: str
    expected_next: dt.date | None


_listeners: list[Callable[[list[TierChange]], object]] = []


def on_tier_change(fn: Callable[[list[TierChange]], object]) -> Callable:
    """Register ``fn(changes)``, called after a recomputation commits with the customers whose
    tier changed (rules use it to schedule follow-ups)."""
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


def _notify_listeners(changes: list[TierChange]) -> None:
    for fn in list(_listeners):
        try:
            fn(changes)
        except Exception:
            log.exception("tier-change listener %r failed", fn)


TIER_REASON = "客户分层重新计算"  # the change reason on each customer's history row


def tiers_record(*, computed: dict[int, str]) -> int:
    """Write the tiers the segmentation computed into the customers' one tier field — the field
    rules, channel tags, lists and exports read. ``computed``: {customer id: tier} of the
    customers whose stored tier differs. A system job (no actor), in the caller's transaction:
    one bulk update per 2,000 customers, each change also a row of the customer's history
    (reason ``客户分层重新计算``, no user). Returns the number of customers changed."""
    from simple_history.utils import bulk_update_with_history

    from .models import Customer, CustomerTier

    wanted = {cid: t for cid, t in computed.items() if t in CustomerTier.values}
    ids = sorted(wanted)
    changed = 0
    for i in range(0, len(ids), 2000):
        rows = [
            c for c in Customer.objects.filter(pk__in=ids[i : i + 2000]) if c.tier != wanted[c.pk]
        ]
        for c in rows:
            c.tier = wanted[c.pk]
        bulk_update_with_history(
            rows, Customer, ["tier"], batch_size=500, default_change_reason=TIER_REASON
        )
        changed += len(rows)
    return changed
