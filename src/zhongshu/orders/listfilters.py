"""Order list filters that other apps provide (the queue and tags an order was routed to live in
``rules``, which orders do not import): ``list_filter("queue")`` registers a function turning
the order queryset and the parameter's value into the filtered queryset. The list and
``GET /api/v1/orders`` apply them after the built-in filters; each must add a condition to the
same query (an indexed ``EXISTS``), never another query."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

ListFilter = Callable[[QuerySet[Any], str], QuerySet[Any]]

_FILTERS: dict[str, ListFilter] = {}


def list_filter(name: str) -> Callable[[ListFilter], ListFilter]:
    def register(fn: ListFilter) -> ListFilter:
        _FILTERS[name] = fn
        return fn

    return register


def apply(qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    """``qs`` narrowed by the filter ``name`` registered by its app; with none registered the
    value matches nothing (an unknown queue lists no orders rather than all of them)."""
    fn = _FILTERS.get(name)
    return qs.none() if fn is None else fn(qs, value)
