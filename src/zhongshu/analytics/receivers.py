"""Where the activity counters hear about actions.

* ``core.signals.user_activity`` — sent by any app (approvals, kanban moves, imports …) after its
  work committed;
* the order hooks — order creation, edits and every transition, after commit. One ``"*"`` hook
  covers them all: it also receives "created" and "updated", so registering "created" separately
  would count each new order twice. Transitions fired by the system (no actor) are not counted.
"""

from collections import Counter

from django.dispatch import receiver

from zhongshu.core.signals import user_activity
from zhongshu.orders import hooks

from .activity import record_many_quietly, record_quietly


@receiver(user_activity, dispatch_uid="analytics.count_user_activity")
def count_user_activity(sender, user=None, kind: str = "", **kwargs) -> None:
    if user is not None and kind:
        record_quietly(user, kind)


@hooks.on_commit_many("*")
def count_order_activity(ctxs: list[hooks.TransitionContext]) -> None:
    """One counter increment of n per user and action for a batch of orders."""
    counts: Counter = Counter()
    for ctx in ctxs:
        if ctx.actor is None or not getattr(ctx.actor, "pk", None):
            continue
        counts[(ctx.actor.pk, f"order.{ctx.action}")] += 1
    record_many_quietly(counts)
