"""A local stand-in for Taobao TOP."""

import datetime as dt
import json
import zlib
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import httpx

from .. import platforms as p
from ._base import _Simulator


class TaobaoSimulator(_Simulator):
    kind = "taobao"
    PAID = "WAIT_SELLER_SEND_GOODS"
    REFUND = {"": "NO_REFUND", "pending": "WAIT_SELLER_AGREE", "refunded": "SUCCESS"}

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
            "receiver_address": o.get("street", ""),
            "buyer_message": o.get("note", ""),
            "orders": {
                "order": [
                    {
                        **({"oid": self._sub_id(o, ln)} if self.line_ids else {}),
                        "num_iid": 600000 + ln["sub"],
                        "sku_id": ln["sku_id"],
                        "outer_iid": ln["outer"].split("-")[0],
                        "outer_sku_id": ln["outer"],
                        "title": ln["title"],
                        # ``raw_num`` lets a test send what a broken gateway might: "NaN", 0.0001
                        "num": ln.get("raw_num", ln["num"]),
                        "price": ln["price"],
                        "status": o["status"],
                        "refund_status": "SUCCESS" if closed else self.REFUND[ln.get("refund", "")],
                        **self._consign_info(o, str(self._sub_id(o, ln))),
                    }
                    for ln in o["lines"]
                ]
            },
        }

    def _consign_info(self, o: dict, oid: str) -> dict:
        got = o["shipped"].get(oid)
        if not got:
            return {}
        return {"consign_time": self._fmt(got["at"]), "invoice_no": got["out_sid"],
                "logistics_company": got["company"]}  # fmt: skip

    @staticmethod
    def _sub_id(o: dict, ln: dict) -> int:
        return int(o["id"]) * 100 + ln["sub"]

    def sub_ids(self, tid: str) -> list[str]:
        order = self.orders[tid]
        return [str(self._sub_id(order, ln)) for ln in order["lines"]]

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
        if method == "taobao.logistics.companies.get":
            rows = [{"id": i, "code": c, "name": n, "reg_mail_no": ""}
                    for i, (c, n) in enumerate(self.carriers, start=1)]  # fmt: skip
            return 200, {"logistics_companies_get_response": {
                "logistics_companies": {"logistics_company": rows}}}  # fmt: skip
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
        if not self.carrier_known(params.get("company_code") or ""):
            # the platform takes its own company codes only, never a carrier's name
            return refuse("B60", "company_code is not a valid logistics company code")
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
