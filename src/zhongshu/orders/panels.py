"""Extra sections on the order detail page, each owned by the app whose data it shows.

An app registers a function ``panel(request, order) -> str | None`` (rendered HTML, or None when
the app has nothing to show this user for this order) from its ``registrations`` module; orders never
names the apps that plug in. The function must read only through its app's selectors, so scoping
and permissions stay where they are enforced; it must run a bounded number of queries. Panels show
in the order they were registered (the order of INSTALLED_APPS).
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Panel = Callable[..., str | None]

_PANELS: list[Panel] = []


def register(panel: Panel) -> Panel:
    """Add ``panel`` to the order page (once; usable as a decorator)."""
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def registered() -> list[Panel]:
    return list(_PANELS)


def order_panels(request: HttpRequest, order: Any) -> list[str]:
    rendered = []
    for panel in _PANELS:
        html = panel(request, order)
        if html:
            rendered.append(html)
    return rendered
