"""A local stand-in for T+'s ``currentStock/Query``, for the demo and the tests.

It checks the ``appKey``/``appSecret``/``openToken`` headers, serves paged stock from an in-memory
table, and can be told to misbehave: ``slow`` (answers after ``delay`` seconds), ``down`` (HTTP 500)
or ``garbage`` (200 with a body that is not JSON). Control it from Python (``sim.mode = "down"``)
or over HTTP: ``POST /_sim/mode`` with ``{"mode": "slow", "delay": 3}``, ``POST /_sim/stock`` with
``{"rows": [{"WarehouseCode", "InventoryCode", "InventoryName", "ExistingQuantity"}]}``.
"""

import json
import threading
import time
from decimal import Decimal
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

QUERY_PATH = "/tplus/api/v2/currentStock/Query"
MODES = ("ok", "slow", "down", "garbage")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # keep test and demo output clean
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class TplusSimulator:
    def __init__(self, *, app_key="demo-key", app_secret="demo-secret", open_token="demo-token"):
        self.credentials = (app_key, app_secret, open_token)
        self.stock: dict[tuple[str, str], dict] = {}
        self.mode = "ok"
        self.delay = 3.0
        self.requests = 0
        self._server = None
        self._thread = None
        self.url = ""
        self._lock = threading.Lock()

    # --- the table ---------------------------------------------------------------------------

    def set_stock(self, warehouse: str, material: str, quantity, name: str = "") -> None:
        with self._lock:
            self.stock[(warehouse, material)] = {
                "WarehouseCode": warehouse,
                "InventoryCode": material,
                "InventoryName": name or material,
                "ExistingQuantity": float(Decimal(str(quantity))),
                "AvailableQuantity": float(Decimal(str(quantity))),
                "Batch": "",
            }

    def _query(self, param: dict) -> dict:
        warehouses = {w.get("Code") for w in param.get("Warehouse") or [] if isinstance(w, dict)}
        materials = {m.get("Code") for m in param.get("Inventory") or [] if isinstance(m, dict)}
        with self._lock:
            rows = [
                row
                for (wh, code), row in sorted(self.stock.items())
                if (not warehouses or wh in warehouses) and (not materials or code in materials)
            ]
        size = max(1, min(int(param.get("PageSize") or 100), 500))
        index = max(1, int(param.get("PageIndex") or 1))
        page = rows[(index - 1) * size : index * size]
        return {"TotalCount": len(rows), "PageIndex": index, "PageSize": size, "Data": page}

    # --- the WSGI app ------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        self.requests += 1
        path = environ.get("PATH_INFO", "")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if length else b""
        if path.startswith("/_sim/"):
            return self._control(path, raw, start_response)
        if path != QUERY_PATH or environ.get("REQUEST_METHOD") != "POST":
            return _json(start_response, "404 Not Found", {"message": "not found"})
        given = tuple(
            environ.get(h, "") for h in ("HTTP_APPKEY", "HTTP_APPSECRET", "HTTP_OPENTOKEN")
        )
        if given != self.credentials:
            return _json(
                start_response,
                "401 Unauthorized",
                {"code": "EXSM0004", "message": "appKey, appSecret or openToken is invalid"},
            )
        if self.mode == "down":
            return _json(start_response, "500 Internal Server Error", {"message": "down"})
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "garbage":
            start_response("200 OK", [("Content-Type", "text/html")])
            return [b"<html><body>502 Bad Gateway (proxy)</body></html>"]
        try:
            body = json.loads(raw or b"{}")
            param = body.get("param") or {}
            if not isinstance(param, dict):
                raise ValueError
            return _json(start_response, "200 OK", self._query(param))
        except (ValueError, TypeError, AttributeError):
            return _json(start_response, "400 Bad Request", {"message": "bad request"})

    def _control(self, path, raw, start_response):
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        if path == "/_sim/mode" and body.get("mode") in MODES:
            self.mode = body["mode"]
            self.delay = float(body.get("delay", self.delay))
        elif path == "/_sim/stock":
            for row in body.get("rows") or []:
                self.set_stock(
                    row["WarehouseCode"],
                    row["InventoryCode"],
                    row["ExistingQuantity"],
                    row.get("InventoryName", ""),
                )
        return _json(start_response, "200 OK", {"mode": self.mode, "rows": len(self.stock)})

    # --- running it ---------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._server = make_server(
            host, port, self, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://{host}:{self._server.server_port}"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _json(start_response, status: str, payload) -> list[bytes]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
