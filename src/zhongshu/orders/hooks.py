"""How other apps plug into order transitions without orders importing them.

* ``guard(action)``  — called inside the transition's transaction, before the status changes; raise a
  ``DomainError`` to refuse. Inventory checks stock here, approvals check sign-off, rules block.
* ``effect(action)`` — called inside the transaction after the status changed and the timeline row
  was written; raise to roll the whole transition back. Inventory reserves, production creates
  task sheets.
* ``on_commit(action)`` — called after the transaction committed; for notifications and rule scans.
  Failures here are logged, never undo the committed transition.
* ``on_change`` — after commit of creates and edits (``action`` "created" / "updated").

``guard_many(action)`` registers a guard that judges a list of contexts at once (bulk transitions).
``"*"`` registers for every action. Hooks run in registration order (app order in INSTALLED_APPS).

Bulk paths (imports, channel sync) create or move many orders in a row. An after-commit listener
whose work is set-based can declare itself batchable with ``on_commit_many(action)``: it receives a
*list* of contexts. Outside a batch it is called right after each commit with a one-element list,
exactly when a plain ``on_commit`` hook would run. Inside ``with hooks.batch():`` the contexts of
every commit in the block are collected and each batchable listener is called once, when the
block ends, with all of its contexts (in commit order); plain ``on_commit`` hooks still run per
order, at each commit, as before. A batchable listener that fails on the whole list is undone
(its own savepoint) and retried one context at a time, so one bad order does not cost the others.
"""

import functools
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction

from zhongshu.core.actors import Actor

if TYPE_CHECKING:  # the models import the services, which import this registry
    from zhongshu.orders.models import Order

log = logging.getLogger(__name__)


@dataclass
class TransitionContext:
    """What a hook is told: who moves which order, from where to where, and why."""

    actor: Actor | None  # None: the system (a channel sync, a job), never a signed-in user
    order: "Order"
    action: str
    from_status: str
    to_status: str
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    # what the move's hooks report back to whoever asked for it (the API answer): "reserved"
    # (line_no, material, quantity) by inventory, "warnings" (texts) by any hook
    outcome: dict[str, Any] = field(default_factory=dict)


def outcome_of(order: "Order") -> dict[str, Any]:
    """What the hooks of the last transition made on this very instance reported (see
    ``TransitionContext.outcome``); empty for an order not just moved."""
    return getattr(order, "_transition_outcome", {})


Hook = Callable[[TransitionContext], None]
Refusals = dict[int, Exception]
ManyGuard = Callable[[list[TransitionContext]], Refusals]
ManyListener = Callable[[list[TransitionContext]], None]


class _BatchedGuard(Protocol):
    """A per-order guard that also judges a list at once (see ``guard_many``)."""

    many: ManyGuard

    def __call__(self, ctx: TransitionContext, /) -> None: ...


class _BatchedListener(Protocol):
    """A per-order listener that also takes a list at once (see ``on_commit_many``)."""

    many: ManyListener

    def __call__(self, ctx: TransitionContext, /) -> None: ...


_guards: dict[str, list[Hook]] = defaultdict(list)
_effects: dict[str, list[Hook]] = defaultdict(list)
_after_commit: dict[str, list[Hook]] = defaultdict(list)


def _register(table: dict[str, list[Hook]], action: str) -> Callable[[Hook], Hook]:
    def decorator(fn: Hook) -> Hook:
        if fn not in table[action]:
            table[action].append(fn)
        return fn

    return decorator


def guard(action: str) -> Callable[[Hook], Hook]:
    return _register(_guards, action)


def effect(action: str) -> Callable[[Hook], Hook]:
    return _register(_effects, action)


def on_commit(action: str) -> Callable[[Hook], Hook]:
    return _register(_after_commit, action)


def guard_many(action: str) -> Callable[[ManyGuard], _BatchedGuard]:
    """Register a guard that can judge many orders at once:
    ``fn(contexts) -> {position: DomainError}`` names the contexts it refuses (and why) instead
    of raising. Bulk transitions call it once for all their orders; ``order_transition`` calls it
    with a one-element list and raises the refusal, exactly like a plain guard."""

    def decorator(fn: ManyGuard) -> _BatchedGuard:
        @functools.wraps(fn)
        def one(ctx: TransitionContext) -> None:
            refused = fn([ctx])
            if refused:
                raise refused[0]

        batched: _BatchedGuard = one  # type: ignore[assignment]  # .many is set on the next line
        batched.many = fn
        _register(_guards, action)(batched)
        return batched

    return decorator


def on_commit_many(action: str) -> Callable[[ManyListener], _BatchedListener]:
    """Register a batchable after-commit listener ``fn(contexts: list[TransitionContext])``.

    It is stored with the ``on_commit`` hooks (same order, same ``registered()`` entry, same
    unplugging in tests) as a per-order callable carrying the list form as ``.many``."""

    def decorator(fn: ManyListener) -> _BatchedListener:
        @functools.wraps(fn)
        def one(ctx: TransitionContext) -> None:
            fn([ctx])

        batched: _BatchedListener = one  # type: ignore[assignment]  # .many is set on the next line
        batched.many = fn
        _register(_after_commit, action)(batched)
        return batched

    return decorator


_batch = threading.local()


@contextmanager
def batch() -> Iterator[None]:
    """Collect the contexts of the after-commit hooks that run inside the block and hand them to
    the batchable listeners once, at the end (also when the block raises: what committed inside
    it still gets its listeners). Nested blocks join the outermost one."""
    if getattr(_batch, "pending", None) is not None:
        yield
        return
    _batch.pending = []
    try:
        yield
    finally:
        pending, _batch.pending = _batch.pending, None
        _flush(pending)


def in_batch() -> bool:
    return getattr(_batch, "pending", None) is not None


def _flush(pending: list[tuple[ManyListener, TransitionContext]]) -> None:
    by_hook: dict[ManyListener, list[TransitionContext]] = {}
    for many, ctx in pending:
        by_hook.setdefault(many, []).append(ctx)
    for many, ctxs in by_hook.items():
        _run_many(many, ctxs)


def _run_many(many: ManyListener, ctxs: list[TransitionContext]) -> None:
    name = getattr(many, "__name__", many)
    try:
        with transaction.atomic():
            many(ctxs)
        return
    except Exception:
        if len(ctxs) == 1:
            log.exception("order hook %s failed for %s", name, ctxs[0].action)
            return
        log.exception("order hook %s failed for %d orders; retrying one by one", name, len(ctxs))
    for ctx in ctxs:
        try:
            with transaction.atomic():
                many([ctx])
        except Exception:
            log.exception("order hook %s failed for %s", name, ctx.action)


def batchable(action: str) -> bool:
    """Whether many orders can take ``action`` at once with the same outcome as one by one: every
    guard judges a list (``guard_many``) and no effect runs inside the transition (an effect may
    change what the next order's guards see, e.g. stock it reserved)."""
    return not _for(_effects, action) and all(hasattr(fn, "many") for fn in _for(_guards, action))


def run_guards_many(ctxs: list[TransitionContext]) -> dict[int, Exception]:
    """The refusals of every (batchable) guard for ``ctxs`` (same action): position → the first
    error, in registration order, as ``run_guards`` would have raised it for that order."""
    refused: dict[int, Exception] = {}
    if not ctxs:
        return refused
    for fn in _for(_guards, ctxs[0].action):
        pending = [i for i in range(len(ctxs)) if i not in refused]
        if not pending:
            break
        many: ManyGuard = fn.many  # type: ignore[attr-defined]  # batchable(): every guard has one
        for j, exc in many([ctxs[i] for i in pending]).items():
            refused[pending[j]] = exc
    return refused


def has_per_order_hooks(action: str) -> bool:
    """Whether ``action`` has after-commit listeners that are not batchable (they run per order
    even inside a batch; bulk paths give each order its own savepoint only when there are)."""
    return any(not hasattr(fn, "many") for fn in _for(_after_commit, action))


def _for(table: dict[str, list[Hook]], action: str) -> list[Hook]:
    return [*table.get(action, ()), *table.get("*", ())]


def run_guards(ctx: TransitionContext) -> None:
    for fn in _for(_guards, ctx.action):
        fn(ctx)


def run_effects(ctx: TransitionContext) -> None:
    for fn in _for(_effects, ctx.action):
        fn(ctx)


def run_after_commit(ctx: TransitionContext) -> None:
    pending = getattr(_batch, "pending", None)
    for fn in _for(_after_commit, ctx.action):
        if pending is not None and hasattr(fn, "many"):
            pending.append((fn.many, ctx))
            continue
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
