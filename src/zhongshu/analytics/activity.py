"""Counting what people do: ``record`` adds to today's counter of a user and kind in one
statement, ``INSERT … ON CONFLICT DO UPDATE SET count = count + n``.

Why not ``update_or_create`` or ``F("count") + 1``: both read then write in two statements, so two
requests that create the same day's first row at the same moment collide (one fails on the unique
constraint, or one increment is lost). The upsert is one statement the database serialises on the
unique index — the same SQL on SQLite (3.24+) and PostgreSQL.
"""

import datetime as dt
import logging

from django.db import connection
from django.utils import timezone

from zhongshu.core import demo

from .models import DailyActivity

log = logging.getLogger(__name__)

MAX_KIND = 40


def _sql() -> str:
    table = connection.ops.quote_name(DailyActivity._meta.db_table)
    return (
        f"INSERT INTO {table} (user_id, day, kind, count) VALUES (%s, %s, %s, %s) "
        f"ON CONFLICT (user_id, day, kind) DO UPDATE SET count = {table}.count + EXCLUDED.count"
    )


def record(user, kind: str, *, n: int = 1, day: dt.date | None = None) -> None:
    """Add ``n`` to the user's counter of ``kind`` for ``day`` (today in the site's time zone)."""
    user_id = getattr(user, "pk", user)
    if not user_id or n <= 0 or not kind or demo.replaying():
        return
    day = day or timezone.localdate()
    with connection.cursor() as cur:
        cur.execute(_sql(), [user_id, day, str(kind)[:MAX_KIND], n])


def record_quietly(user, kind: str, **kwargs) -> None:
    """``record`` for signal receivers: counting must never break the action being counted."""
    try:
        record(user, kind, **kwargs)
    except Exception:
        log.exception("activity %s for user %s not counted", kind, getattr(user, "pk", user))


def record_many(counts, *, day: dt.date | None = None) -> None:
    """``record`` for many counters at once: ``{(user, kind): n}`` in one multi-row upsert (per
    500 counters)."""
    if demo.replaying():
        return
    day = day or timezone.localdate()
    rows: dict[tuple[int, str], int] = {}
    for (user, kind), n in counts.items():
        user_id = getattr(user, "pk", user)
        if not user_id or n <= 0 or not kind:
            continue
        key = (user_id, str(kind)[:MAX_KIND])
        rows[key] = rows.get(key, 0) + n
    items = [(u, day, k, n) for (u, k), n in rows.items()]
    if not items:
        return
    table = connection.ops.quote_name(DailyActivity._meta.db_table)
    with connection.cursor() as cur:
        for i in range(0, len(items), 500):
            part = items[i : i + 500]
            cur.execute(
                f"INSERT INTO {table} (user_id, day, kind, count) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(part))
                + f" ON CONFLICT (user_id, day, kind) DO UPDATE SET count = {table}.count + "
                "EXCLUDED.count",
                [v for row in part for v in row],
            )


def record_many_quietly(counts, **kwargs) -> None:
    try:
        record_many(counts, **kwargs)
    except Exception:
        log.exception("activity of %d counters not counted", len(counts))
