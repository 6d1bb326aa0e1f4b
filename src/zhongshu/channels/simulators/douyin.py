"""A local stand-in for the Douyin shop open platform."""

import json
import time
import zlib
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import httpx

from .. import platforms as p
from ._base import _Simulator


class DouyinSimulator(_Simulator):
    kind = "douyin"
    PAID = 2
    # a line's refund → (after_sale_status, refund_status)
    AFTER_SALE = {"": (0, 0), "pending": (6, 1), "refunded": (12, 3)}

    def __init__(self, *, app_key="dy-demo-key", secret="dy-demo-secret", token="dy-token",
                 shop_id="4463798", seed: int = 11):  # fmt: skip
        super().__init__(app_key=app_key, secret=secret, seed=seed)
        self.token, self.shop_id = token, shop_id

    def _render(self, o: dict) -> dict:
        skus = []
        for ln in o["lines"]:
            fen = int(Decimal(ln["price"]) * 100) * ln["num"]
            skus.append(
                {
                    **({"order_id": f"{o['id']}{ln['sub']:02d}"} if self.line_ids else {}),
                    "sku_id": int(ln["sku_id"]) if ln["sku_id"].isdigit() else ln["sku_id"],
                    "out_sku_id": ln["outer"],
                    "code": ln["outer"],
                    "product_name": ln["title"],
                    "item_num": ln["num"],
                    "origin_amount": fen,
                    "sum_amount": fen,
                    "after_sale_info": {
                        "after_sale_status": self.AFTER_SALE[ln.get("refund", "")][0],
                        "refund_status": self.AFTER_SALE[ln.get("refund", "")][1],
                    },
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
                "detail": o.get("street", ""),
            },
            "buyer_words": o.get("note", ""),
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
        if method == "order.logisticsCompanyList" and parts.path == "/order/logisticsCompanyList":
            return 200, {"code": 10000, "msg": "success",
                         "data": [{"id": i, "code": c, "name": n}
                                  for i, (c, n) in enumerate(self.carriers, start=1)]}  # fmt: skip
        if method == "order.logisticsAdd" and parts.path == "/order/logisticsAdd":
            self.logistics_calls += 1
            oid = str(params.get("order_id") or "")
            if oid not in self.orders:
                return 200, self._error(40004, "订单不存在")
            if not self.carrier_known(params.get("company_code") or ""):
                return 200, self._error(40006, "物流公司编码不存在")
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
        return [f"{oid}{ln['sub']:02d}" for ln in self.orders[oid]["lines"]]

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
            if not self.carrier_known(pack.get("company_code") or ""):
                return self._error(40006, "物流公司编码不存在")
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
