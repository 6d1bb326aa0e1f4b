"""The writes of a confirmation besides stock and status, for the bare side of
benchmarks/reservations.py to make too: the audit history rows of the order and of each stock
level it changed (as the product copies them, ``INSERT … SELECT``) and, after commit, the
planner's activity counter (one upsert in its own transaction, as the product counts)."""

_columns: dict[str, str] = {}


def _shared_columns(cur, table: str) -> str:
    """The columns ``table`` and its history table share, read once per process."""
    if table not in _columns:
        history = table.replace("_", "_historical", 1)
        cur.execute(
            """SELECT column_name FROM information_schema.columns
               WHERE table_name = %s AND column_name IN (
                 SELECT column_name FROM information_schema.columns WHERE table_name = %s)
               ORDER BY ordinal_position""",
            [table, history],
        )
        _columns[table] = ", ".join(f'"{name}"' for (name,) in cur.fetchall())
    return _columns[table]


def history_bare(cur, order_id: int, level_ids: list[int], user_id: int) -> None:
    """The history rows of the order and of the levels, in the caller's transaction."""
    for table, where, key in (
        ("orders_order", "id = %s", order_id),
        ("inventory_stocklevel", "id = ANY(%s)", sorted(level_ids)),
    ):
        cols = _shared_columns(cur, table)
        history = table.replace("_", "_historical", 1)
        cur.execute(
            f"""INSERT INTO {history} ({cols}, history_date, history_change_reason,
                  history_type, history_user_id)
                SELECT {cols}, now(), NULL, '~', %s FROM {table} WHERE {where}""",
            [user_id, key],
        )


def count_bare(conn, user_id: int) -> None:
    """The planner's counter of confirmations today, after the confirmation committed."""
    with conn.transaction():
        conn.execute(
            """INSERT INTO analytics_dailyactivity (user_id, day, kind, count)
               VALUES (%s, current_date, 'order.confirm', 1)
               ON CONFLICT (user_id, day, kind)
               DO UPDATE SET count = analytics_dailyactivity.count + EXCLUDED.count""",
            [user_id],
        )
