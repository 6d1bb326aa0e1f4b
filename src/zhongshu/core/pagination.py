"""Paging: keyset pages for the big lists (orders, movements, shipments) and bounded
limit/offset for the small master-data lists (customers, materials)."""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 200
# Far beyond any real list, and small enough for every database's integer types (an unbounded
# offset reaches the database as "bigint out of range").
MAX_OFFSET = 1_000_000


class BoundedLimitOffset(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


def keyset_page(
    qs: QuerySet[Any], *, cursor: int | None, limit: int
) -> tuple[list[Any], int | None]:
    """One page of a queryset ordered by ``-id``, after ``cursor`` (the last id already shown).

    Constant cost however deep the user pages, unlike OFFSET on a million rows.
    """
    if cursor:
        qs = qs.filter(id__lt=cursor)
    items = list(qs[: limit + 1])
    next_cursor = items[limit - 1].id if len(items) > limit else None
    return items[:limit], next_cursor


def offset_page(qs: QuerySet[Any], *, offset: int, limit: int) -> tuple[list[Any], int | None]:
    """One page of a list in another order than ``-id`` (e.g. sorted by a due date or a custom
    field): bounded offset paging; sorted lists are read from the top."""
    offset = min(max(offset or 0, 0), MAX_OFFSET)
    items = list(qs[offset : offset + limit + 1])
    return items[:limit], (offset + limit if len(items) > limit else None)
