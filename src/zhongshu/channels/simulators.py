"""Local stand-ins for Taobao TOP and Douyin shop, for the demo, the tests and the benchmark.

Both verify the platform's signing exactly as ``platforms`` computes it and answer in the platform's
response shapes (errors included). Each keeps an in-memory order book that can be driven from Python:

    sim = TaobaoSimulator(app_key="k", secret="s", session="sess").start("127.0.0.1", 19201)
    tid = sim.add_order(lines=[("sku-1", "OUT-1", "螺栓", 2, "9.90")])   # paid by default
    sim.set_status(tid, "TRADE_CLOSED")                                  # a refund
    sim.generate(500, skus=[...])                                        # a realistic stream
    sim.throttle_next = 2                                                # the next 2 calls: limit
    sim.push(url, tid)                                                   # signed push to Zhongshu

``snapshot(id)`` returns an order as the platform shows it now; ``push(url, snapshot)`` sends any
snapshot, so old versions can be replayed out of order. Orders are listed by modified time, then id.
"""

import datetime as dt
import itertools
import json
import random
import threading
import time
import zlib
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import httpx

from . import platforms as p

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


class _Simulator:
    kind = ""
    PAID = ""

    def __init__(self, *, app_key: str, secret: str, seed: int = 7):
        self.app_key, self.secret = app_key, secret
        self.orders: dict[str, dict] = {}
        self.logistics: list[dict] = []  # accepted logistics sends
        self.requests_seen: dict[str, dict] = {}  # request_id → the first answer (Douyin)
        self.logistics_calls = 0  # every logistics call, accepted or refused
        self.throttle_next = 0
        self.requests = 0
        self.rng = random.Random(seed)
        self._ids = itertools.count(int(time.time()) % 100000 * 100000 + 1)
        self._lock = threading.Lock()
        self._clock = 0
        self._server = None
        self.url = ""

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0):
        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._server.sim = self
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://{host}:{self._server.server_address[1]}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
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
                "lines": [
                    {"sku_id": str(s), "outer": str(o), "title": t, "num": int(n),
                     "price": str(Decimal(str(pr)).quantize(Decimal("0.01")))}
                    for s, o, t, n, pr in lines
                ],
            }  # fmt: skip
        return oid

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


class TaobaoSimulator(_Simulator):
    kind = "taobao"
    PAID = "WAIT_SELLER_SEND_GOODS"

    def __init__(self, *, app_key="tb-demo-key", secret="tb-demo-secret", session="tb-session",
                 seed: int = 7):  # fmt: skip
        super().__init__(app_key=app_key, secret=secret, seed=seed)
        self.session = session

    @staticmethod
    def _fmt(ts: int) -> str:
        return p.top_time(dt.datetime.fromtimestamp(ts, tz=dt.UTC))

    def _render(self, o: dict) -> dict:
        total = sum(Decimal(ln["price"]) * ln["num"] for ln in o["lines"])
        closed = o["status"] in ("TRADE_CLOSED", "TRADE_CLOSED_BY_TAOBAO")
        return {
            "tid": int(o["id"]),
            "status": o["status"],
            "buyer_nick": o["buyer"],
            "buyer_open_uid": f"AAH{zlib.crc32(o['buyer'].encode()):010d}",
            "created": self._fmt(o["created"]),
            "modified": self._fmt(o["modified"]),
            "payment": f"{total:.2f}",
            "receiver_name": o["buyer"],
            "receiver_mobile": o["phone"],
            "receiver_state": o["address"][0],
            "receiver_city": o["address"][1],
            "receiver_address": "科技路1号",
            "orders": {
                "order": [
                    {
                        "oid": int(o["id"]) * 10 + i,
                        "num_iid": 600000 + i,
                        "sku_id": ln["sku_id"],
                        "outer_iid": ln["outer"].split("-")[0],
                        "outer_sku_id": ln["outer"],
                        "title": ln["title"],
                        "num": ln["num"],
                        "price": ln["price"],
                        "status": o["status"],
                        "refund_status": "SUCCESS" if closed else "NO_REFUND",
                        **self._consign_info(o, str(int(o["id"]) * 10 + i)),
                    }
                    for i, ln in enumerate(o["lines"], start=1)
                ]
            },
        }

    def _consign_info(self, o: dict, oid: str) -> dict:
        got = o["shipped"].get(oid)
        if not got:
            return {}
        return {"consign_time": self._fmt(got["at"]), "invoice_no": got["out_sid"],
                "logistics_company": got["company"]}  # fmt: skip

    def sub_ids(self, tid: str) -> list[str]:
        return [str(int(tid) * 10 + i) for i in range(1, len(self.orders[tid]["lines"]) + 1)]

    @staticmethod
    def _error(code, msg, sub_code="", sub_msg=""):
        return {"error_response": {"code": code, "msg": msg, "sub_code": sub_code,
                                   "sub_msg": sub_msg}}  # fmt: skip

    def _throttled(self) -> dict:
        return self._error(7, "App Call Limited", "accesscontrol.limited-by-app-access-count",
                           "This ban will last for 1 more seconds")  # fmt: skip

    def verify(self, params: dict) -> dict | None:
        """``None`` when the call is properly signed; otherwise the platform's error body."""
        if params.get("app_key") != self.app_key:
            return self._error(29, "Invalid app Key", "isv.appkey-not-exists")
        method = params.get("sign_method") or "md5"
        if method not in ("md5", "hmac", "hmac-sha256"):
            return self._error(26, "Invalid sign method")
        sign = params.get("sign") or ""
        if not sign:
            return self._error(25, "Missing signature")
        if sign.upper() != p.top_sign(params, self.secret, method):
            return self._error(25, "Invalid signature")
        stamp = p.parse_top_time(params.get("timestamp"))
        if stamp is None or abs((stamp - dt.datetime.now(dt.UTC)).total_seconds()) > 600:
            return self._error(31, "Invalid timestamp")
        return None

    def _handle(self, path, headers, raw):
        if urlsplit(path).path != "/router/rest":
            return 404, self._error(22, "Invalid method")
        params = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        problem = self.verify(params)
        if problem:
            return 200, problem
        if params.get("session") != self.session:
            return 200, self._error(27, "Invalid session", "invalid-sessionkey")
        method = params.get("method")
        if method == "taobao.trades.sold.increment.get":
            start = p.parse_top_time(params.get("start_modified"))
            end = p.parse_top_time(params.get("end_modified"))
            if start is None or end is None or end < start or end - start > dt.timedelta(days=1):
                return 200, self._error(40, "Missing required arguments",
                                        "isv.invalid-parameter", "window ≤ 1 day")  # fmt: skip
            size = max(1, min(int(params.get("page_size") or 40), 100))
            page = max(1, int(params.get("page_no") or 1))
            trades, total = self._window(int(start.timestamp()), int(end.timestamp()), page, size)
            return 200, {
                "trades_sold_increment_get_response": {
                    "trades": {"trade": trades},
                    "has_next": page * size < total,
                    "total_results": total,
                }
            }
        if method == "taobao.trade.fullinfo.get":
            tid = params.get("tid", "")
            if tid not in self.orders:
                return 200, self._error(15, "Remote service error", "isv.trade-not-exist")
            return 200, {"trade_fullinfo_get_response": {"trade": self.snapshot(tid)}}
        if method == "taobao.logistics.offline.send":
            return 200, self._offline_send(params)
        return 200, self._error(22, "Invalid method")

    def _offline_send(self, params: dict) -> dict:
        """``taobao.logistics.offline.send``: the whole trade, or with ``is_split=1`` the sub-orders
        in ``sub_tid``. A sub-order is consigned once; the trade is partly consigned
        (SELLER_CONSIGNED_PART) until every sub-order is."""
        self.logistics_calls += 1
        tid = params.get("tid", "")

        def refuse(code, text):
            return self._error(15, "Remote service error",
                               f"isv.logistics-offline-service-error:{code}", text)  # fmt: skip

        if tid not in self.orders:
            return refuse("B04", "trade not found")
        order = self.orders[tid]
        all_subs = self.sub_ids(tid)
        split = params.get("is_split") == "1"
        wanted = [x for x in (params.get("sub_tid") or "").split(",") if x] if split else all_subs
        allowed = (self.PAID, "SELLER_CONSIGNED_PART") if split else (self.PAID,)
        if order["status"] not in allowed:
            return refuse("B27", "trade status does not allow consignment")
        if not wanted or any(x not in all_subs for x in wanted):
            return refuse("B05", "sub_tid does not belong to the trade")
        if any(x in order["shipped"] for x in wanted):
            return refuse("B27", "sub-order already consigned")
        entry = {
            "tid": tid,
            "out_sid": params.get("out_sid"),
            "company": params.get("company_code"),
        }
        if split:
            entry["sub_tid"] = wanted
        self.logistics.append(entry)
        with self._lock:
            now = self._tick(None)
            for x in wanted:
                order["shipped"][x] = {"num": 1, "out_sid": entry["out_sid"],
                                       "company": entry["company"], "at": now}  # fmt: skip
        done = set(order["shipped"]) >= set(all_subs)
        self.set_status(tid, "WAIT_BUYER_CONFIRM_GOODS" if done else "SELLER_CONSIGNED_PART")
        return {"logistics_offline_send_response": {"shipping": {"is_success": True}}}

    def push(self, url: str, order, *, tamper: bool = False, secret: str | None = None):
        """A signed TOP message to Zhongshu: form fields, signed like an API call."""
        trade = order if isinstance(order, dict) else self.snapshot(order)
        form = {
            "app_key": self.app_key,
            "topic": "taobao_trade_TradeChanged",
            "timestamp": p.top_time(dt.datetime.now(dt.UTC)),
            "sign_method": "hmac-sha256",
            "content": json.dumps(trade, ensure_ascii=False),
        }
        form["sign"] = p.top_sign(form, secret or self.secret, "hmac-sha256")
        if tamper:
            form["content"] = form["content"].replace('"num": 1', '"num": 9')
            form["content"] += " "
        return httpx.post(url, data=form, timeout=10)


class DouyinSimulator(_Simulator):
    kind = "douyin"
    PAID = 2

    def __init__(self, *, app_key="dy-demo-key", secret="dy-demo-secret", token="dy-token",
                 shop_id="4463798", seed: int = 11):  # fmt: skip
        super().__init__(app_key=app_key, secret=secret, seed=seed)
        self.token, self.shop_id = token, shop_id

    def _render(self, o: dict) -> dict:
        skus = []
        for i, ln in enumerate(o["lines"], start=1):
            fen = int(Decimal(ln["price"]) * 100) * ln["num"]
            skus.append(
                {
                    "order_id": f"{o['id']}{i:02d}",
                    "sku_id": int(ln["sku_id"]) if ln["sku_id"].isdigit() else ln["sku_id"],
                    "out_sku_id": ln["outer"],
                    "code": ln["outer"],
                    "product_name": ln["title"],
                    "item_num": ln["num"],
                    "origin_amount": fen,
                    "sum_amount": fen,
                }
            )
        total = sum(s["sum_amount"] for s in skus)
        return {
            "order_id": o["id"],
            "shop_id": int(self.shop_id),
            "order_status": int(o["status"]),
            "create_time": o["created"],
            "update_time": o["modified"],
            "order_amount": total,
            "pay_amount": total,
            "doudian_open_id": f"1@#{zlib.crc32(o['buyer'].encode()):012d}",
            "post_receiver": o["buyer"],
            "post_tel": o["phone"],
            "post_addr": {
                "province": {
                    "name": o["address"][0],
                    "id": str(zlib.crc32(o["address"][0].encode())),
                },
                "city": {"name": o["address"][1], "id": str(zlib.crc32(o["address"][1].encode()))},
                "detail": "科技路1号",
            },
            "sku_order_list": skus,
        }

    def _throttled(self) -> dict:
        return {"code": 50002, "msg": "调用频率超过限制", "sub_code": "isv.rate-limit",
                "sub_msg": "请稍后重试", "data": {}}  # fmt: skip

    @staticmethod
    def _error(code, msg):
        return {"code": code, "msg": msg, "data": {}}

    def _handle(self, path, headers, raw):
        parts = urlsplit(path)
        q = dict(parse_qsl(parts.query, keep_blank_values=True))
        if q.get("app_key") != self.app_key:
            return 200, self._error(30001, "app_key不存在")
        param_json = raw.decode("utf-8", "replace")
        expected = p.douyin_sign(app_key=self.app_key, method=q.get("method", ""),
                                 param_json=param_json, timestamp=q.get("timestamp", ""),
                                 secret=self.secret)  # fmt: skip
        if q.get("sign") != expected or q.get("v") != "2":
            return 200, self._error(30002, "签名校验失败")
        try:
            stamp = int(q.get("timestamp", ""))
            params = json.loads(param_json or "{}")
        except ValueError:
            return 200, self._error(40001, "参数错误")
        if abs(stamp - time.time()) > 600:
            return 200, self._error(30003, "时间戳过期")
        if q.get("access_token") != self.token:
            return 200, self._error(30005, "access_token无效")
        method = q.get("method")
        if method == "order.searchList" and parts.path == "/order/searchList":
            size = max(1, min(int(params.get("size") or 20), 100))
            page = max(0, int(params.get("page") or 0))
            start = int(params.get("update_time_start") or 0)
            end = int(params.get("update_time_end") or time.time())
            rows, total = self._window(start, end, page + 1, size)
            return 200, {"code": 10000, "msg": "success",
                         "data": {"shop_order_list": rows, "total": total, "page": page,
                                  "size": size}}  # fmt: skip
        if method == "order.orderDetail" and parts.path == "/order/orderDetail":
            oid = str(params.get("shop_order_id") or "")
            if oid not in self.orders:
                return 200, self._error(40004, "订单不存在")
            return 200, {"code": 10000, "msg": "success",
                         "data": {"shop_order_detail": self.snapshot(oid)}}  # fmt: skip
        if method == "order.logisticsAdd" and parts.path == "/order/logisticsAdd":
            self.logistics_calls += 1
            oid = str(params.get("order_id") or "")
            if oid not in self.orders:
                return 200, self._error(40004, "订单不存在")
            if int(self.orders[oid]["status"]) not in (105, 2) or self.orders[oid]["shipped"]:
                return 200, self._error(40005, "订单状态不允许发货")
            self.logistics.append({"tid": oid, "out_sid": params.get("logistics_code"),
                                   "company": params.get("company_code")})  # fmt: skip
            order = self.orders[oid]
            for sub, ln in zip(self.sub_ids(oid), order["lines"], strict=True):
                order["shipped"][sub] = ln["num"]
            self.set_status(oid, 3)
            return 200, {"code": 10000, "msg": "success", "data": {}}
        if method == "order.logisticsAddMultiPack" and parts.path == "/order/logisticsAddMultiPack":
            return 200, self._multi_pack(params)
        return 200, self._error(40002, "method不存在")

    def sub_ids(self, oid: str) -> list[str]:
        return [f"{oid}{i:02d}" for i in range(1, len(self.orders[oid]["lines"]) + 1)]

    def _multi_pack(self, params: dict) -> dict:
        """``order.logisticsAddMultiPack``: packages with each sub-order's shipped quantity. A
        repeated ``request_id`` gets the first answer and ships nothing; no sub-order ships more
        than bought; the order is partly shipped (101) until every sub-order is complete (3)."""
        self.logistics_calls += 1
        rid = str(params.get("request_id") or "")
        if not rid:
            return self._error(40004, "request_id不能为空")
        if rid in self.requests_seen:
            return self.requests_seen[rid]
        oid = str(params.get("order_id") or "")
        if oid not in self.orders:
            return self._error(50002, "订单不存在，请仔细检查后重试。")
        order = self.orders[oid]
        if int(order["status"]) not in (105, 2, 101):
            return self._error(50002, "订单已发货，不允许再次执行发货。")
        bought = {s: ln["num"] for s, ln in zip(self.sub_ids(oid), order["lines"], strict=True)}
        adds: dict[str, int] = {}
        packs = []
        for pack in params.get("pack_list") or []:
            items = []
            for it in pack.get("shipped_order_info") or []:
                sub, n = str(it.get("shipped_order_id")), int(it.get("shipped_num") or 0)
                if sub not in bought:
                    return self._error(50002, "60102:商品单不存在，请仔细检查后重试")
                if n <= 0:
                    return self._error(50002, "60080:商品的发货数量不允许小于0")
                adds[sub] = adds.get(sub, 0) + n
                items.append((sub, n))
            if not items or not pack.get("logistics_code"):
                return self._error(50002, "发货信息为空。")
            packs.append({"tid": oid, "out_sid": pack.get("logistics_code"),
                          "company": pack.get("company_code"), "packs": items})  # fmt: skip
        if not packs:
            return self._error(50002, "发货信息为空。")
        if any(order["shipped"].get(s, 0) + n > bought[s] for s, n in adds.items()):
            return self._error(50002, "70023:已发货，请检查订单状态")
        for s, n in adds.items():
            order["shipped"][s] = order["shipped"].get(s, 0) + n
        self.logistics.extend(packs)
        done = all(order["shipped"].get(s, 0) >= n for s, n in bought.items())
        self.set_status(oid, 3 if done else 101)
        answer = {"code": 10000, "msg": "success",
                  "data": {"pack_list": [{"logistics_code": x["out_sid"]} for x in packs]}}  # fmt: skip
        self.requests_seen[rid] = answer
        return answer

    def push(self, url: str, order, *, tamper: bool = False, secret: str | None = None):
        """A Douyin message push: JSON body, header ``event-sign`` = md5(app_key + body + secret)."""
        data = order if isinstance(order, dict) else self.snapshot(order)
        body = json.dumps(
            [{"tag": "101", "msg_id": f"m{next(self._ids)}",
              "data": json.dumps(data, ensure_ascii=False)}],
            ensure_ascii=False,
        ).encode()  # fmt: skip
        sign = p.douyin_event_sign(self.app_key, body, secret or self.secret)
        if tamper:
            body = body.replace(b'\\"item_num\\": 1', b'\\"item_num\\": 9') + b" "
        return httpx.post(
            url,
            content=body,
            headers={"event-sign": sign, "app-id": self.app_key,
                     "Content-Type": "application/json"},
            timeout=10,
        )  # fmt: skip
