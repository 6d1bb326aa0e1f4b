"""Demo data: a realistic small factory, seeded by every app that has something to show.

Each installed ``zhongshu.<app>`` may ship a ``demo`` module with

* ``SEED_ORDER`` — an int; lower seeds first (accounts 10, inventory 20, orders 50, …);
* ``seed(ctx)`` — creates its data through the app's own services, reading and adding to ``ctx``;
* ``SERVICES`` (optional) — callables ``start(host) -> (name, url, stop)`` for local simulators
  that ``zhongshu demo`` runs in the background while it serves.

All seeds run in one transaction: a failure leaves the database as it was.
"""

import contextlib
import contextvars
import datetime as dt
import importlib
import random
from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

DEMO_PASSWORD = "Zhongshu-demo-2026"
# True while the demo replays its history (and while the work its commit triggers runs): counters
# of "what people did today" leave it alone — the history's activity is seeded as it happened
_replaying = contextvars.ContextVar("zhongshu_demo_replaying", default=False)


def replaying() -> bool:
    return _replaying.get()


@contextlib.contextmanager
def replay() -> Any:
    """Mark the block as the demo's replay of history (see ``replaying``)."""
    token = _replaying.set(True)
    try:
        yield
    finally:
        _replaying.reset(token)


RANDOM_SEED = 2026

ServiceStart = Callable[[str], tuple[str, str, Callable[[], None]]]


class DemoContext(SimpleNamespace):
    """What one seed hands to the next. Attribute or item access, whichever reads better:
    ``ctx.users["planner"]``, ``ctx["customers"]``. Seeds may add their own keys."""

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, key, value)

    def __contains__(self, key: str) -> bool:
        return hasattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)


def on_backdate(
    ctx: DemoContext, fn: Callable[[DemoContext, Any, dict[str, dt.datetime]], None]
) -> None:
    """Ask the orders seed to call ``fn(ctx, order, dated)`` once it has dated an order's
    history (``dated``: action → when it happened), so the seed's own records match."""
    ctx["on_backdate"] = [*(ctx.get("on_backdate") or ()), fn]


def on_history(ctx: DemoContext, fn: Callable[[DemoContext, list[Any]], None]) -> None:
    """Ask the orders seed to call ``fn(ctx, written)`` once it has written the closed part of
    the history set-based (``written``: ``orders.demo_history.WrittenOrder`` records), so the
    seed writes its own records of those orders the same way."""
    ctx["on_history"] = [*(ctx.get("on_history") or ()), fn]


def new_context(stdout: Any = None, *, today: dt.date | None = None) -> DemoContext:
    return DemoContext(
        stdout=stdout,
        rng=random.Random(RANDOM_SEED),
        today=today or timezone.localdate(),
        password=DEMO_PASSWORD,
        users={},  # role → the demo user for that role (the first one, for sales)
        users_by_name={},  # username → user
        logins=[],  # (username, roles, regions) for the printed table
        regions={},  # name → Region
        customers=[],
        materials=[],
        counts={},  # what each seed made, for the summary line
    )


def demo_modules() -> list[ModuleType]:
    """The ``demo`` modules of the installed zhongshu apps, in seeding order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("zhongshu."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise  # the demo module exists but is broken: say so
            continue
        if hasattr(module, "seed"):
            found.append(module)
    return sorted(found, key=lambda m: (getattr(m, "SEED_ORDER", 100), m.__name__))


def demo_services() -> list[ServiceStart]:
    return [start for module in demo_modules() for start in getattr(module, "SERVICES", ())]


def has_data() -> bool:
    """Seeding is for an empty database only; anything with users in it is left alone."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.exists()


def seed_demo(stdout: Any = None, *, today: dt.date | None = None) -> DemoContext | None:
    """Seed every app's demo data in one transaction. Returns ``None`` (and changes nothing)
    when the database already has data, so running the demo twice never duplicates."""
    with replay(), transaction.atomic():  # the commit's work runs inside the replay too
        if has_data():
            return None
        ctx = new_context(stdout, today=today)
        for module in demo_modules():
            module.seed(ctx)
    return ctx


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, roles, regions) of the demo users present in the database."""
    from django.contrib.auth import get_user_model

    # the seeds that make logins list them in ``LOGINS`` (accounts does)
    names = [name for module in demo_modules() for name in getattr(module, "LOGINS", ())]
    found = {
        u.username: u
        for u in get_user_model()
        .objects.filter(username__in=names)
        .prefetch_related("groups", "profile__regions")
    }
    rows = []
    for username in names:
        user = found.get(username)
        if user is None:
            continue
        roles = ", ".join(sorted(g.name for g in user.groups.all()))
        profile = getattr(user, "profile", None)
        regions = ", ".join(r.name for r in profile.regions.all()) if profile else ""
        rows.append((username, roles, regions or "-"))
    return rows
