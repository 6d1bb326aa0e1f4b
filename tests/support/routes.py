"""Every URL pattern of the site, and a route with its arguments filled from known values — the
walks over every page (region scope, extremes) share them."""

import re
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver


def url_patterns(resolver=None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from url_patterns(p, route)
        elif isinstance(p, URLPattern):
            yield route, p


def fill_route(route: str, values: dict) -> str | None:
    """A route with its <converter:name> parts filled, or None when one cannot be filled."""
    route = route.lstrip("^").rstrip("$")
    if any(ch in route for ch in "()[]?*+\\"):
        return None

    def sub(m: re.Match) -> str:
        name = m.group(1).split(":")[-1]
        if name not in values:
            raise KeyError(name)
        return str(values[name])

    try:
        return "/" + re.sub(r"<([^>]+)>", sub, route)
    except KeyError:
        return None
