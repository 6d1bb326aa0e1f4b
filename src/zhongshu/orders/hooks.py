"""How other apps plug into order transitions without orders importing them.

* ``guard(action)``  — called inside the transition's transaction, before the status changes; raise a
  ``DomainError`` to refuse. Inventory checks stock here, approvals check sign-off, rules block.
* ``effect(action)`` — called inside the transaction after the status changed and the timeline row
  was written; raise to roll the whole transition back. Inventory reserves, production creates
  task sheets.
* ``on_commit(action)`` — called after the transaction committed; for notifications and rule scans.
  Failures here are logged, never undo the committed transition.
* ``on_change`` — after commit of creates and edits (``action`` "created" / "updated").

``"*"`` registers for every action. Hooks run in registration order (app order in INSTALLED_APPS).
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class TransitionContext:
    actor: Any
    order: Any
    action: str
    from_status: str
    to_status: str
    note: str = ""
    data: dict = field(default_factory=dict)


Hook = Callable[[TransitionContext], None]

_guards: dict[str, list[Hook]] = defaultdict(list)
_effects: dict[str, list[Hook]] = defaultdict(list)
_after_commit: dict[str, list[Hook]] = defaultdict(list)


def _register(table: dict[str, list[Hook]], action: str):
    def decorator(fn: Hook) -> Hook:
        if fn not in table[action]:
            table[action].append(fn)
        return fn

    return decorator


def guard(action: str):
    return _register(_guards, action)


def effect(action: str):
    return _register(_effects, action)


def on_commit(action: str):
    return _register(_after_commit, action)


def _for(table, action):
    return [*table.get(action, ()), *table.get("*", ())]


def run_guards(ctx: TransitionContext) -> None:
    for fn in _for(_guards, ctx.action):
        fn(ctx)


def run_effects(ctx: TransitionContext) -> None:
    for fn in _for(_effects, ctx.action):
        fn(ctx)


def run_after_commit(ctx: TransitionContext) -> None:
    for fn in _for(_after_commit, ctx.action):
        try:
            fn(ctx)
        except Exception:  # a failing listener must not turn a committed change into an error
            log.exception("order hook %s failed for %s", getattr(fn, "__name__", fn), ctx.action)


def registered() -> dict[str, dict[str, list[str]]]:
    """What is plugged in where — for the docs page and for tests."""
    return {
        kind: {a: [f"{f.__module__}.{f.__name__}" for f in fns] for a, fns in table.items()}
        for kind, table in (("guard", _guards), ("effect", _effects), ("on_commit", _after_commit))
    }
