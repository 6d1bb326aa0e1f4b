"""Paging: keyset pages for the big lists (orders, movements, shipments) and bounded
limit/offset for the small master-data lists (customers, materials)."""

import datetime as dt
import re
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
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


_DATE_CURSOR = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(\d{1,18})$")


def parse_date_cursor(value: str | None) -> tuple[dt.date, int] | None:
    """``"YYYY-MM-DD.<id>"`` → (date, id); None for an empty value. Raises ``ValueError`` for
    anything else (an impossible date, a missing id…)."""
    if not value:
        return None
    match = _DATE_CURSOR.match(value)
    if not match:
        raise ValueError(value)
    return dt.date.fromisoformat(match[1]), int(match[2])


def date_keyset_page(
    qs: QuerySet[Any],
    *,
    field: str,
    cursor: tuple[dt.date, int] | None,
    limit: int,
    descending: bool = False,
) -> tuple[list[Any], str | None]:
    """One page of a queryset ordered by ``(field, id)`` (or both descending), after ``cursor``
    (the (date, id) of the last row already shown): a row-value comparison the ``(field, id)``
    index answers as a range, however deep the page. The next cursor is an opaque string."""
    key = Tuple(F(field), F("id"))
    if cursor is not None:
        lookup = TupleLessThan if descending else TupleGreaterThan
        qs = qs.filter(lookup(key, cursor))
    order = (f"-{field}", "-id") if descending else (field, "id")
    items = list(qs.order_by(*order)[: limit + 1])
    if len(items) <= limit:
        return items, None
    last = items[limit - 1]
    return items[:limit], f"{getattr(last, field).isoformat()}.{last.id}"


def offset_page(qs: QuerySet[Any], *, offset: int, limit: int) -> tuple[list[Any], int | None]:
    """One page of a list in another order than ``-id`` (e.g. sorted by a due date or a custom
    field): bounded offset paging; sorted lists are read from the top."""
    offset = min(max(offset or 0, 0), MAX_OFFSET)
    items = list(qs[offset : offset + limit + 1])
    return items[:limit], (offset + limit if len(items) > limit else None)
