"""The lists that can have saved views, and how each reads its filters and sort.

The app that owns a list registers it (``orders`` registers "orders" from its ``registrations``
module), so a saved view's filters and sort mean exactly what the list page makes of them, and
listviews never imports the app whose list it saves.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SavableList:
    name: str
    # (actor=, params=, errors=) → the custom filters; bad ones are added to ``errors``
    parse_custom_filters: Callable[..., object]
    # (actor=, value=, errors=) → the sort as stored ("" when refused, with an error)
    parse_sort: Callable[..., str]


_LISTS: dict[str, SavableList] = {}


def register(name: str, *, parse_custom_filters, parse_sort) -> None:
    _LISTS[name] = SavableList(name, parse_custom_filters, parse_sort)


def get(name: str) -> SavableList:
    try:
        return _LISTS[name]
    except KeyError:
        raise LookupError(f"no list {name!r} is registered for saved views") from None
