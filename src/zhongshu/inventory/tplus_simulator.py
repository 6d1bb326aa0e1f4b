"""A local stand-in for T+'s OpenAPI, for the demo, the tests and the benchmark.

It keeps its own stock and documents, like a T+ account would:

* ``currentStock/Query`` — paged stock rows (``LastModifier``/``LastModifiedTime`` say who moved a
  row last: ``OpenAPI`` for posted documents, the name given to ``manual_change`` otherwise);
* ``<resource>/Create`` for 销货单 ``saleDelivery``, 其他入库单 ``otherReceive``, 其他出库单
  ``otherDispatch``, 采购入库单 ``purchaseReceive``, 产成品入库单 ``productReceive`` — applies the
  document to its stock; refuses a second document with the same ExternalCode, an unknown
  material, warehouse or customer code, a date in a closed period (``closed_until``), and an
  issue of more than is on hand;
* ``<resource>/Query`` by ExternalCode; ``inventory``/``partner``/``warehouse`` ``/Query`` for
  master data.

Every call checks the ``appKey``/``appSecret``/``openToken`` headers. Modes make it misbehave:
``slow`` (answers after ``delay`` seconds), ``down`` (HTTP 500), ``garbage`` (200, not JSON),
``expired`` (401: the token expired), ``lost_reply`` (applies a document, then answers 504 as if
the reply was lost on the way). Control it from Python (``sim.mode = "down"``) or over HTTP:
``POST /_sim/mode`` ``{"mode": "slow", "delay": 3}``, ``POST /_sim/stock`` ``{"rows": [...]}``,
``POST /_sim/manual`` ``{"warehouse", "material", "delta", "who"}``.
"""

import datetime as dt
import json
import threading
import time
from decimal import Decimal, InvalidOperation
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from zhongshu.core.local_servers import serve_in_background, stop_serving

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

API = "/tplus/api/v2/"
QUERY_PATH = API + "currentStock/Query"
MODES = ("ok", "slow", "down", "garbage", "expired", "lost_reply")
# resource -> (details key, +1 receipt / -1 issue)
DOCUMENTS = {
    "saleDelivery": ("SaleDeliveryDetails", -1),
    "otherReceive": ("RDRecordDetails", 1),
    "otherDispatch": ("RDRecordDetails", -1),
    "purchaseReceive": ("RDRecordDetails", 1),
    "productReceive": ("RDRecordDetails", 1),
}
MASTER = ("inventory", "partner", "warehouse")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # keep test and demo output clean
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 64


class Refused(Exception):
    def __init__(self, status: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class TplusSimulator:
    def __init__(
        self,
        *,
        app_key: str = "demo-key",
        app_secret: str = "demo-secret",
        open_token: str = "demo-token",
    ) -> None:
        self.credentials = (app_key, app_secret, open_token)
        self.stock: dict[tuple[str, str], dict[str, Any]] = {}
        self.documents: dict[str, dict[str, Any]] = {}  # ExternalCode -> the accepted document
        self.accepted: list[str] = []  # ExternalCodes in the order they were accepted
        self.inventories: dict[str, str] = {}  # code -> name (存货)
        self.partners: dict[str, str] = {}  # code -> name (客户)
        self.warehouses: dict[str, str] = {}  # code -> name (仓库)
        self.mode = "ok"
        self.closed_until = ""  # YYYY-MM-DD: documents dated up to it fall in a closed period
        self.delay = 3.0
        self.requests = 0
        self.create_calls = 0
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self._lock = threading.RLock()

    # --- the tables ---------------------------------------------------------------------------

    def set_stock(self, warehouse: str, material: str, quantity: object, name: str = "") -> None:
        with self._lock:
            self.inventories.setdefault(material, name or material)
            self.warehouses.setdefault(warehouse, warehouse)
            self.stock[(warehouse, material)] = _row(warehouse, material, name, quantity)

    def add_customer(self, code: str, name: str = "") -> None:
        with self._lock:
            self.partners[code] = name or code

    def on_hand(self, warehouse: str, material: str) -> Decimal:
        with self._lock:
            return sum(
                (Decimal(str(r["ExistingQuantity"])) for r in self.stock.values()
                 if r["WarehouseCode"] == warehouse and r["InventoryCode"] == material),
                Decimal(0),
            )  # fmt: skip

    def manual_change(
        self, warehouse: str, material: str, delta: object, who: str = "T+ user"
    ) -> None:
        """Stock moved in T+ directly (a count, a document typed in T+)."""
        with self._lock:
            self._move(warehouse, material, Decimal(str(delta)), who)

    def _move(self, warehouse: str, material: str, delta: Decimal, who: str) -> None:
        row = self.stock.get((warehouse, material))
        if row is None:
            row = self.stock[(warehouse, material)] = _row(
                warehouse, material, self.inventories.get(material, material), 0
            )
        qty = Decimal(str(row["ExistingQuantity"])) + delta
        row["ExistingQuantity"] = row["AvailableQuantity"] = float(qty)
        row["LastModifier"] = who
        row["LastModifiedTime"] = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")

    def _query_stock(self, param: dict[str, Any]) -> dict[str, Any]:
        warehouses = {w.get("Code") for w in param.get("Warehouse") or [] if isinstance(w, dict)}
        materials = {m.get("Code") for m in param.get("Inventory") or [] if isinstance(m, dict)}
        with self._lock:
            rows = [
                dict(row)
                for (wh, code), row in sorted(self.stock.items())
                if (not warehouses or row["WarehouseCode"] in warehouses)
                and (not materials or row["InventoryCode"] in materials)
            ]
        return _page(rows, param)

    def _create(self, resource: str, dto: dict[str, Any]) -> dict[str, Any]:
        details_key, sign = DOCUMENTS[resource]
        code = str(dto.get("ExternalCode") or "").strip()
        if not code:
            raise Refused("400 Bad Request", "EXSM0100", "ExternalCode 不能为空")
        lines = dto.get(details_key)
        if not isinstance(lines, list) or not lines:
            raise Refused("400 Bad Request", "EXSM0100", f"{details_key} 不能为空")
        warehouse = str((dto.get("Warehouse") or {}).get("Code") or "")
        date = str(dto.get("VoucherDate") or "")
        if self.closed_until and date <= self.closed_until:
            raise Refused("400 Bad Request", "EXSM0106", f"单据日期 {date} 所在会计期间已结账")
        with self._lock:
            if code in self.documents:
                raise Refused("400 Bad Request", "duplicate_external_code",
                              f"ExternalCode {code} 已存在")  # fmt: skip
            if warehouse not in self.warehouses:
                raise Refused("400 Bad Request", "EXSM0102", f"仓库编码 {warehouse} 不存在")
            if resource == "saleDelivery":
                customer = str((dto.get("Customer") or {}).get("Code") or "")
                if customer not in self.partners:
                    raise Refused("400 Bad Request", "EXSM0103", f"客户编码 {customer} 不存在")
            moves: list[tuple[str, str, Decimal]] = []
            for line in lines:
                material = str(((line or {}).get("Inventory") or {}).get("Code") or "")
                if material not in self.inventories:
                    raise Refused("400 Bad Request", "EXSM0101", f"存货编码 {material} 不存在")
                line_wh = str(((line or {}).get("Warehouse") or {}).get("Code") or warehouse)
                if line_wh not in self.warehouses:
                    raise Refused("400 Bad Request", "EXSM0102", f"仓库编码 {line_wh} 不存在")
                try:
                    qty = Decimal(str(line.get("Quantity")))
                except InvalidOperation:
                    qty = Decimal(-1)
                if not qty.is_finite() or qty <= 0:
                    raise Refused("400 Bad Request", "EXSM0104", "数量必须大于 0")
                taken = sum((-d for w, m, d in moves if (w, m) == (line_wh, material)), qty)
                if sign < 0 and self.on_hand(line_wh, material) < taken:
                    raise Refused("400 Bad Request", "EXSM0105", f"存货 {material} 现存量不足")
                moves.append((line_wh, material, sign * qty))
            for line_wh, material, delta in moves:
                self._move(line_wh, material, delta, "OpenAPI")
            number = f"{resource[:2].upper()}-{len(self.accepted) + 1:06d}"
            self.documents[code] = {"resource": resource, "Code": number, "dto": dto}
            self.accepted.append(code)
        return {"Code": number, "ExternalCode": code}

    def _query_documents(self, resource: str, param: dict[str, Any]) -> dict[str, Any]:
        code: Any = param.get("ExternalCode")
        with self._lock:
            doc = self.documents.get(code)
        rows = [] if doc is None or doc["resource"] != resource else [
            {"Code": doc["Code"], "ExternalCode": code}
        ]  # fmt: skip
        return {"TotalCount": len(rows), "Data": rows}

    def _query_master(self, resource: str, param: dict[str, Any]) -> dict[str, Any]:
        table = {"inventory": self.inventories, "partner": self.partners,
                 "warehouse": self.warehouses}[resource]  # fmt: skip
        with self._lock:
            rows = [{"Code": c, "Name": n} for c, n in sorted(table.items())]
        return _page(rows, param)

    # --- the WSGI app ------------------------------------------------------------------------

    def __call__(self, environ: "WSGIEnvironment", start_response: "StartResponse") -> list[bytes]:
        with self._lock:
            self.requests += 1
        path = environ.get("PATH_INFO", "")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if length else b""
        if path.startswith("/_sim/"):
            return self._control(path, raw, start_response)
        parts = path[len(API) :].split("/") if path.startswith(API) else []
        if len(parts) != 2 or environ.get("REQUEST_METHOD") != "POST":
            return _json(start_response, "404 Not Found", {"message": "not found"})
        given = tuple(
            environ.get(h, "") for h in ("HTTP_APPKEY", "HTTP_APPSECRET", "HTTP_OPENTOKEN")
        )
        if given != self.credentials:
            return _json(start_response, "401 Unauthorized",
                         {"code": "EXSM0004", "message": "appKey, appSecret or openToken is invalid"})  # fmt: skip
        if self.mode == "expired":
            return _json(start_response, "401 Unauthorized",
                         {"code": "EXSM0011", "message": "openToken 已过期, 请重新授权"})  # fmt: skip
        if self.mode == "down":
            return _json(start_response, "500 Internal Server Error", {"message": "down"})
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "garbage":
            start_response("200 OK", [("Content-Type", "text/html")])
            return [b"<html><body>502 Bad Gateway (proxy)</body></html>"]
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError
            return self._route(parts, body, start_response)
        except Refused as exc:
            return _json(start_response, exc.status, {"code": exc.code, "message": exc.message})
        except (ValueError, TypeError, AttributeError, KeyError):
            return _json(start_response, "400 Bad Request", {"message": "bad request"})

    def _route(
        self, parts: list[str], body: dict[str, Any], start_response: "StartResponse"
    ) -> list[bytes]:
        resource, action = parts
        param = body.get("param") or {}
        if resource == "currentStock" and action == "Query":
            return _json(start_response, "200 OK", self._query_stock(param))
        if resource in MASTER and action == "Query":
            return _json(start_response, "200 OK", self._query_master(resource, param))
        if resource in DOCUMENTS and action == "Query":
            return _json(start_response, "200 OK", self._query_documents(resource, param))
        if resource in DOCUMENTS and action == "Create":
            dto = body.get("dto")
            if not isinstance(dto, dict):
                raise ValueError
            with self._lock:
                self.create_calls += 1
            reply = self._create(resource, dto)
            if self.mode == "lost_reply":
                return _json(start_response, "504 Gateway Timeout", {"message": "timeout"})
            return _json(start_response, "200 OK", reply)
        return _json(start_response, "404 Not Found", {"message": "not found"})

    def _control(self, path: str, raw: bytes, start_response: "StartResponse") -> list[bytes]:
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        if path == "/_sim/mode" and body.get("mode") in MODES:
            self.mode = body["mode"]
            self.delay = float(body.get("delay", self.delay))
        elif path == "/_sim/stock":
            for row in body.get("rows") or []:
                self.set_stock(row["WarehouseCode"], row["InventoryCode"],
                               row["ExistingQuantity"], row.get("InventoryName", ""))  # fmt: skip
        elif path == "/_sim/manual":
            self.manual_change(body["warehouse"], body["material"], body["delta"],
                               body.get("who", "T+ user"))  # fmt: skip
        return _json(start_response, "200 OK",
                     {"mode": self.mode, "rows": len(self.stock), "documents": len(self.documents)})  # fmt: skip

    # --- running it ---------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._server = make_server(
            host, port, self, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        self._thread = serve_in_background(self._server)
        self.url = f"http://{host}:{self._server.server_port}"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            stop_serving(self._server)
            self._server = None


def _row(warehouse: str, material: str, name: str, quantity: object) -> dict[str, Any]:
    qty = float(Decimal(str(quantity)))
    return {
        "WarehouseCode": warehouse,
        "InventoryCode": material,
        "InventoryName": name or material,
        "ExistingQuantity": qty,
        "AvailableQuantity": qty,
        "Batch": "",
    }


def _page(rows: list[dict[str, Any]], param: dict[str, Any]) -> dict[str, Any]:
    size = max(1, min(int(param.get("PageSize") or 100), 500))
    index = max(1, int(param.get("PageIndex") or 1))
    page = rows[(index - 1) * size : index * size]
    return {"TotalCount": len(rows), "PageIndex": index, "PageSize": size, "Data": page}


def _json(start_response: "StartResponse", status: str, payload: object) -> list[bytes]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
