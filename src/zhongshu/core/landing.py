"""Where each role lands after signing in, declared by the app that owns the page.

``landing("warehouse", "inventory:stock_list", position=20)`` in inventory's ``registrations``
says a warehouse user starts on the stock list. A user with several roles lands on the page with
the lowest position among theirs; the shell's home reads this and names no app.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Landing:
    role: str
    url: str  # a URL name
    position: int


_LANDINGS: dict[str, Landing] = {}


def landing(role: str, url: str, *, position: int) -> None:
    _LANDINGS[role] = Landing(role, url, position)


def landing_for(roles: Iterable[str]) -> str | None:
    """The URL name of the page the holder of ``roles`` lands on, or ``None``."""
    found = sorted((_LANDINGS[r] for r in roles if r in _LANDINGS), key=lambda x: x.position)
    return found[0].url if found else None
