"""What both platform simulators share: the HTTP server, the order generator's buyers and
addresses, the shop's state."""

import datetime as dt
import itertools
import json
import random
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from zhongshu.core.local_servers import serve_in_background, stop_serving

BUYERS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷"]
ADDRESSES = [("浙江省", "杭州市"), ("江苏省", "苏州市"), ("上海", "上海市"), ("广东省", "深圳市"),
             ("山东省", "青岛市"), ("北京", "北京市")]  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    sim = None  # set per server

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, body = self.server.sim.handle(self.path, dict(self.headers), raw)
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    """The simulator's HTTP server; the handler reaches the simulator through it."""

    sim: "_Simulator"


class _Simulator:
    kind = ""
    PAID: str | int = (
        ""  # the platform's status of a paid order: Taobao names it, Douyin numbers it
    )

    def __init__(self, *, app_key: str, secret: str, seed: int = 7):
        self.app_key, self.secret = app_key, secret
        self.orders: dict[str, dict] = {}
        self.logistics: list[dict] = []  # accepted logistics sends
        self.requests_seen: dict[str, dict] = {}  # request_id → the first answer (Douyin)
        self.logistics_calls = 0  # every logistics call, accepted or refused
        self.throttle_next = 0
        self.requests = 0
        self.rng = random.Random(seed)
        self.line_ids = True  # False: lines without their platform id (matched by position)
        self._ids = itertools.count(int(time.time()) % 100000 * 100000 + 1)
        self._lock = threading.Lock()
        self._clock = 0
        self._server: _Server | None = None
        self.url = ""
        # the carriers the platform accepts (code, name); tests add to it to see a refresh
        from ..carriers import platform_list

        self.carriers: list[tuple[str, str]] = platform_list(self.kind)

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0):
        server = self._server = _Server((host, port), _Handler)
        server.daemon_threads = True
        server.sim = self
        serve_in_background(server)
        self.url = f"http://{host}:{server.server_address[1]}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            stop_serving(self._server)
            self._server = None

    # --- the order book -------------------------------------------------------------------------

    def _tick(self, when: dt.datetime | None) -> int:
        """Modified times in whole seconds, never going backwards unless given explicitly, and
        never ahead of the clock (a platform does not stamp changes in the future; several changes
        in one second share it, as on the real platforms)."""
        if when is not None:
            return int(when.timestamp())
        self._clock = max(self._clock, int(time.time()))
        return self._clock

    def add_order(self, *, lines, status=None, buyer=None, modified=None, order_id=None,
                  address: tuple[str, str] | None = None) -> str:  # fmt: skip
        with self._lock:
            oid = str(order_id or next(self._ids))
            ts = self._tick(modified)
            self.orders[oid] = {
                "id": oid,
                "status": self.PAID if status is None else status,
                "created": ts,
                "modified": ts,
                "buyer": buyer or self.rng.choice(BUYERS),
                "phone": f"138{self.rng.randrange(10**8):08d}",
                "shipped": {},  # sub-order id → {"num", "out_sid", "company", "at"}
                "address": address or self.rng.choice(ADDRESSES),  # (province, city)
                "lines": self._lines(lines),
                "next_sub": len(lines) + 1,
                "note": "",
                "street": "科技路1号",
            }  # fmt: skip
        return oid

    @staticmethod
    def _lines(lines, subs: list[int] | None = None) -> list[dict]:
        """Each line keeps its own number on the platform (``sub``): the sub-order id is built
        from it, so a line keeps its id when other lines are removed or the lines reordered."""
        subs = subs or list(range(1, len(lines) + 1))
        return [{"sku_id": str(s), "outer": str(o), "title": t, "num": int(n),
                 "price": str(Decimal(str(pr)).quantize(Decimal("0.01"))), "refund": "",
                 "sub": sub}
                for (s, o, t, n, pr), sub in zip(lines, subs, strict=True)]  # fmt: skip

    def _relined(self, order: dict, lines) -> list[dict]:
        """New lines of a changed order: a line of a SKU the order had keeps that line's id, any
        other line is a new sub-order with a new id."""
        free = list(order["lines"])
        subs = []
        for line in lines:
            same = next((old for old in free if old["sku_id"] == str(line[0])), None)
            if same is not None:
                free.remove(same)
                subs.append(same["sub"])
            else:
                subs.append(order.setdefault("next_sub", len(order["lines"]) + 1))
                order["next_sub"] = subs[-1] + 1
        return self._lines(lines, subs)

    def change_order(self, oid: str, *, lines=None, quantities: dict[int, int] | None = None,
                     note: str | None = None, street: str | None = None,
                     modified: dt.datetime | None = None) -> dict:  # fmt: skip
        """The buyer or the shop changes a paid order: new lines, new quantities of lines (by
        index from 0), a buyer's note, the street of the address."""
        with self._lock:
            order = self.orders[oid]
            if lines is not None:
                order["lines"] = self._relined(order, lines)
            for i, n in (quantities or {}).items():
                order["lines"][i]["num"] = int(n)
            if note is not None:
                order["note"] = note
            if street is not None:
                order["street"] = street
            order["modified"] = self._tick(modified)
            return self._render(order)

    def refund_line(self, oid: str, index: int, state: str,
                    modified: dt.datetime | None = None) -> dict:  # fmt: skip
        """A refund of one line (index from 0): ``pending`` (asked), ``refunded`` or ``refused``."""
        with self._lock:
            order = self.orders[oid]
            order["lines"][index]["refund"] = "" if state == "refused" else state
            order["modified"] = self._tick(modified)
            return self._render(order)

    def carrier_known(self, code: str) -> bool:
        return any(code == c for c, _n in self.carriers)

    def set_status(self, oid: str, status, modified: dt.datetime | None = None) -> dict:
        with self._lock:
            order = self.orders[oid]
            order["status"] = status
            order["modified"] = self._tick(modified)
            return self._render(order)

    def snapshot(self, oid: str) -> dict:
        with self._lock:
            return self._render(self.orders[oid])

    def generate(self, n: int, *, skus, lines_per: int = 3, start: dt.datetime | None = None,
                 end: dt.datetime | None = None) -> list[str]:  # fmt: skip
        """``n`` paid orders with ``lines_per`` lines each, modified times spread over
        [start, end) (default: the last two hours), some seconds shared by several orders."""
        end = end or dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
        start = start or end - dt.timedelta(hours=2)
        span = max(1, int((end - start).total_seconds()))
        ids = []
        for i in range(n):
            when = start + dt.timedelta(seconds=span * i // max(n, 1))
            chosen = self.rng.sample(list(skus), k=min(lines_per, len(skus)))
            lines = [
                (s, o, t, self.rng.randint(1, 5), f"{self.rng.randint(500, 20000) / 100:.2f}")
                for s, o, t in chosen
            ]
            ids.append(self.add_order(lines=lines, modified=when))
        return ids

    def _window(self, start: int, end: int, page: int, size: int) -> tuple[list[dict], int]:
        with self._lock:
            rows = sorted(
                (o for o in self.orders.values() if start <= o["modified"] <= end),
                key=lambda o: (o["modified"], o["id"]),
            )
            chosen = rows[(page - 1) * size : page * size]
            return [self._render(o) for o in chosen], len(rows)

    def handle(self, path: str, headers: dict, raw: bytes) -> tuple[int, dict]:
        self.requests += 1
        with self._lock:
            if self.throttle_next > 0:
                self.throttle_next -= 1
                return 200, self._throttled()
        return self._handle(path, headers, raw)

    def _render(self, order: dict) -> dict:
        raise NotImplementedError

    def _throttled(self) -> dict:
        raise NotImplementedError

    def _handle(self, path, headers, raw):
        raise NotImplementedError
