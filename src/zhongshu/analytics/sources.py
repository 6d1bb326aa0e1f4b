"""Numbers other apps contribute to the dashboard without analytics importing them.

``awaiting_approval`` — "awaiting my approval" on the pending-today card: ``fn(actor) -> int``
(one query, already limited to what the actor may decide). Analytics registers the approvals app's
count from its own ``AppConfig.ready`` (approvals sits below analytics and never imports it)::

    sources.register_awaiting_approval(waiting_count)

With nothing registered the count is 0.
"""

from collections.abc import Callable

from zhongshu.core.actors import Actor

_awaiting_approval: list[Callable] = []


def register_awaiting_approval(fn: Callable) -> Callable:
    if fn not in _awaiting_approval:
        _awaiting_approval.append(fn)
    return fn


def awaiting_approval(actor: Actor) -> int:
    return sum(int(fn(actor) or 0) for fn in _awaiting_approval)
