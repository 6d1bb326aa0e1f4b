"""The bare SQL side of benchmarks/reservations.py, and the same SQL behind an HTTP server (the
floor: what a confirmation costs through HTTP with nothing but its SQL).

The floor is a WSGI application served by gunicorn with the workers and threads of ``zhongshu
serve``: ``POST /orders/<id>/confirm`` runs the bare confirmation on the thread's own psycopg
connection and answers 200 or 409 in JSON. Settings from the environment: BENCH_DATABASE_URL,
BENCH_WAREHOUSE_ID, BENCH_PLANNER_ID, BENCH_MAKE ("1": the make-to-order confirmation).
"""

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import _make_to_order
from _bare_audit import count_bare, history_bare


class Short(Exception):
    pass


@contextmanager
def transaction(conn) -> Iterator[None]:
    """``conn.transaction()``, except that a rollback keeps the connection's prepared statements,
    as the product's backend does (psycopg's own rollback drops them all: decision 34), so that
    the bare side is as fast as psycopg can make it."""
    try:
        yield
    except BaseException:
        conn.pgconn.exec_(b"ROLLBACK")
        raise
    conn.commit()


def confirm_stock_bare(
    cur, order_id: int, warehouse_id: int, planner_id: int, short, *, audit: bool = True
) -> None:
    """The bare minimum of a stock confirmation in SQL, in the caller's transaction; raises
    ``short`` when the order is not pending or a material is short. ``audit``: with the history
    rows of the order and the levels (``_bare_audit``), as the product writes them."""
    cur.execute("SELECT status FROM orders_order WHERE id = %s FOR UPDATE", [order_id])
    if cur.fetchone()[0] != "pending_review":
        raise short
    cur.execute(
        """SELECT ol.id, ol.quantity, sl.id FROM orders_orderline ol
           LEFT JOIN inventory_stocklevel sl
             ON sl.material_id = ol.material_id AND sl.warehouse_id = %s
           WHERE ol.order_id = %s AND ol.fulfilment = 'stock'""",
        [warehouse_id, order_id],
    )
    lines = cur.fetchall()
    need: dict[int, Decimal] = {}
    for _line_id, qty, level_id in lines:
        if level_id is None:
            raise short
        need[level_id] = need.get(level_id, Decimal(0)) + qty
    figures = {}
    for level_id in sorted(need):
        cur.execute(
            """UPDATE inventory_stocklevel SET reserved = reserved + %s,
                   updated_at = now()
               WHERE id = %s AND on_hand - reserved >= %s
               RETURNING on_hand, reserved, material_id""",
            [need[level_id], level_id, need[level_id]],
        )
        row = cur.fetchone()
        if row is None:
            raise short
        figures[level_id] = row
    running = {lv: (oh, rs - need[lv]) for lv, (oh, rs, _m) in figures.items()}
    movements, reservations = [], []
    for line_id, qty, level_id in lines:
        oh, before = running[level_id]
        running[level_id] = (oh, before + qty)
        material_id = figures[level_id][2]
        movements.append((level_id, material_id, warehouse_id, qty, qty, oh, oh,
                          before, before + qty, planner_id, order_id, line_id))  # fmt: skip
        reservations.append((order_id, line_id, level_id, qty))
    cur.executemany(
        """INSERT INTO inventory_stockmovement (level_id, material_id, warehouse_id,
             kind, quantity, on_hand_delta, reserved_delta, on_hand_before,
             on_hand_after, reserved_before, reserved_after, actor_id, order_id,
             order_line_id, reason, created_at)
           VALUES (%s, %s, %s, 'reserve', %s, 0, %s, %s, %s, %s, %s, %s, %s, %s,
                   '', now())""",
        movements,
    )
    cur.executemany(
        """INSERT INTO inventory_reservation (order_id, order_line_id, level_id,
             quantity, consumed, released, status, for_component, created_at,
             updated_at)
           VALUES (%s, %s, %s, %s, 0, 0, 'active', false, now(), now())""",
        reservations,
    )
    cur.execute(
        """UPDATE orders_order SET status = 'confirmed', version = version + 1,
             confirmed_at = now(), updated_at = now() WHERE id = %s""",
        [order_id],
    )
    cur.execute(
        """INSERT INTO orders_orderevent (order_id, actor_id, at, action,
             from_status, to_status, note, data)
           VALUES (%s, %s, now(), 'confirm', 'pending_review', 'confirmed', '',
                   '{}')""",
        [order_id, planner_id],
    )
    if audit:
        history_bare(cur, order_id, list(need), planner_id)


_local = threading.local()


def application(environ, start_response):
    """The floor: the bare confirmation behind HTTP."""
    import psycopg

    parts = environ.get("PATH_INFO", "").strip("/").split("/")
    if environ["REQUEST_METHOD"] != "POST" or len(parts) != 3 or parts[2] != "confirm":
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"code": "not_found"}']
    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = psycopg.connect(os.environ["BENCH_DATABASE_URL"])
    confirm = (
        _make_to_order.confirm_bare if os.environ.get("BENCH_MAKE") == "1" else (confirm_stock_bare)
    )
    try:
        with transaction(conn), conn.cursor() as cur:
            confirm(cur, int(parts[1]), int(os.environ["BENCH_WAREHOUSE_ID"]),
                    int(os.environ["BENCH_PLANNER_ID"]), Short)  # fmt: skip
        count_bare(conn, int(os.environ["BENCH_PLANNER_ID"]))
        status, body = "200 OK", {"id": int(parts[1]), "status": "confirmed"}
    except Short:
        status, body = "409 Conflict", {"code": "insufficient_stock"}
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data)))])  # fmt: skip
    return [data]
