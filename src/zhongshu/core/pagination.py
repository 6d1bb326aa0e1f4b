"""Limit/offset paging for the small master-data lists (customers, materials)."""

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
