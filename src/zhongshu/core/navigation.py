"""The shell's main navigation, filled by the apps that own the pages.

Each app declares its entries in its own ``registrations`` module (``nav_entry("orders",
"orders.view")``, see ``zhongshu.core.apps``), so no list here names an app. The shell shows an entry to a user who may do
any of its actions; the layout places it under ``nav.<key>``.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavEntry:
    key: str
    actions: tuple[str, ...]  # shown when the user may do any one of them


_ENTRIES: dict[str, NavEntry] = {}


def nav_entry(key: str, *actions: str) -> None:
    """Declare (or re-declare) the navigation entry ``key``, visible to whoever may do any of
    ``actions``."""
    if not actions:
        raise ValueError(f"navigation entry {key!r} names no action")
    _ENTRIES[key] = NavEntry(key, tuple(actions))


def nav_entries() -> list[NavEntry]:
    return list(_ENTRIES.values())
