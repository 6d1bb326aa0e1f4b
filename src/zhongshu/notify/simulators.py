"""Local stand-ins for the WeCom, DingTalk and Feishu group robots, for the demo and the tests.

Each ``RobotSimulator`` is a small HTTP server speaking one platform's webhook protocol: the same
path and token, the same signature check (DingTalk: ``timestamp``/``sign`` query parameters;
Feishu: ``timestamp``/``sign`` in the body; both refuse a timestamp more than an hour off), the same
reply shapes and error codes, and the platforms' 20 messages a minute per robot.

Make it misbehave from Python or over HTTP (``POST /_sim/mode`` ``{"mode": "error"}``):

* ``ok`` — the normal robot; ``slow`` — answers after ``delay`` seconds;
* ``error`` — HTTP 500 for every message; ``throttle`` — the platform's rate-limit error code;
* ``go_down()`` / ``come_back()`` — close the port (connection refused) and open it again.

``received`` records every message request (accepted or not); ``accepted`` the ones answered with
success, in order. ``clock`` (a callable returning seconds) drives the rate-limit window, so tests
can move time on instead of waiting.
"""

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from zhongshu.core.local_servers import serve_in_background, stop_serving

PATHS = {
    "wecom": "/cgi-bin/webhook/send",
    "dingtalk": "/robot/send",
    "feishu": "/open-apis/bot/v2/hook/",
}
MODES = ("ok", "slow", "error", "throttle")
PER_MINUTE = 20
MAX_SKEW = 3600  # seconds a signed timestamp may be off (both platforms: one hour)

WECOM_BAD_KEY = {"errcode": 93000, "errmsg": "invalid webhook url, hint: [sim]"}
WECOM_TOO_LONG = {"errcode": 40058, "errmsg": "content exceed max length 2048"}
WECOM_THROTTLED = {"errcode": 45009, "errmsg": "api freq out of limit"}
DINGTALK_BAD_TOKEN = {"errcode": 300001, "errmsg": "token is not exist"}
DINGTALK_BAD_SIGN = {"errcode": 310000, "errmsg": "sign not match"}
DINGTALK_BAD_TIME = {"errcode": 310000, "errmsg": "invalid timestamp"}
DINGTALK_THROTTLED = {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
FEISHU_BAD_TOKEN = {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}
FEISHU_BAD_SIGN = {
    "code": 19021,
    "msg": "sign match fail or timestamp is not within one hour from current time",
}
FEISHU_THROTTLED = {"code": 9499, "msg": "too many request"}
BAD_BODY = {"errcode": 400, "errmsg": "invalid json"}


@dataclass
class Received:
    at: float
    path: str
    query: dict
    body: dict | None
    accepted: bool
    reply: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        body = self.body or {}
        if "text" in body and isinstance(body["text"], dict):
            return str(body["text"].get("content", ""))
        content = body.get("content")
        if isinstance(content, dict):
            return str(content.get("text", ""))
        return ""


class RobotSimulator:
    def __init__(self, kind: str, *, token: str = "demo-token", secret: str = "", clock=None):
        if kind not in PATHS:
            raise ValueError(kind)
        self.kind = kind
        self.token = token
        self.secret = secret
        self.clock = clock or time.time
        self.mode = "ok"
        self.delay = 1.0
        self.received: list[Received] = []
        self._accepted_at: list[float] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._hold: socket.socket | None = None
        self.host = "127.0.0.1"
        self.port = 0
        self.url = ""

    # --- what the app is configured with ------------------------------------------------------

    @property
    def webhook_url(self) -> str:
        if self.kind == "wecom":
            return f"{self.url}{PATHS['wecom']}?key={self.token}"
        if self.kind == "dingtalk":
            return f"{self.url}{PATHS['dingtalk']}?access_token={self.token}"
        return f"{self.url}{PATHS['feishu']}{self.token}"

    @property
    def accepted(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.accepted]

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
            self._accepted_at.clear()

    # --- the protocol -------------------------------------------------------------------------

    def handle(self, path: str, query: dict, raw: bytes) -> tuple[int, dict]:
        """Answer one webhook request like the platform does: (HTTP status, JSON reply)."""
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            self._log(path, query, None, False, BAD_BODY)
            return 400, BAD_BODY
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "error":
            busy = {"errcode": -1, "errmsg": "system busy"}
            self._log(path, query, body, False, busy)
            return 500, busy
        reply = self._check(path, query, body)
        if reply is None:
            reply = self._admit()
        accepted = reply.get("errcode", reply.get("code")) == 0
        self._log(path, query, body, accepted, reply)
        return 200, reply

    def _check(self, path: str, query: dict, body: dict) -> dict | None:
        now = time.time()
        if self.kind == "wecom":
            if path != PATHS["wecom"] or query.get("key") != self.token:
                return WECOM_BAD_KEY
            text = (body.get("text") or {}).get("content", "")
            if len(str(text).encode()) > 2048:
                return WECOM_TOO_LONG
            return None
        if self.kind == "dingtalk":
            if path != PATHS["dingtalk"] or query.get("access_token") != self.token:
                return DINGTALK_BAD_TOKEN
            if self.secret:
                ts, sign = query.get("timestamp", ""), query.get("sign", "")
                if not ts.isdigit() or abs(now - int(ts) / 1000) > MAX_SKEW:
                    return DINGTALK_BAD_TIME
                digest = hmac.new(
                    self.secret.encode(), f"{ts}\n{self.secret}".encode(), hashlib.sha256
                ).digest()
                # parse_qs already decoded the url-encoded value once
                if not hmac.compare_digest(sign, base64.b64encode(digest).decode()):
                    return DINGTALK_BAD_SIGN
            return None
        if path != PATHS["feishu"] + self.token:
            return FEISHU_BAD_TOKEN
        if self.secret:
            ts, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
            if not ts.isdigit() or abs(now - int(ts)) > MAX_SKEW:
                return FEISHU_BAD_SIGN
            digest = hmac.new(f"{ts}\n{self.secret}".encode(), b"", hashlib.sha256).digest()
            if not hmac.compare_digest(sign, base64.b64encode(digest).decode()):
                return FEISHU_BAD_SIGN
        return None

    def _admit(self) -> dict:
        throttled = {
            "wecom": WECOM_THROTTLED,
            "dingtalk": DINGTALK_THROTTLED,
            "feishu": FEISHU_THROTTLED,
        }[self.kind]
        if self.mode == "throttle":
            return throttled
        now = self.clock()
        with self._lock:
            self._accepted_at = [t for t in self._accepted_at if t > now - 60]
            if len(self._accepted_at) >= PER_MINUTE:
                return throttled
            self._accepted_at.append(now)
        if self.kind == "feishu":
            return {"code": 0, "msg": "success", "data": {}}
        return {"errcode": 0, "errmsg": "ok"}

    def _log(self, path, query, body, accepted, reply) -> None:
        with self._lock:
            self.received.append(Received(time.time(), path, query, body, accepted, reply))

    def control(self, path: str, raw: bytes) -> dict:
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        if path == "/_sim/mode" and isinstance(body, dict) and body.get("mode") in MODES:
            self.mode = body["mode"]
            self.delay = float(body.get("delay", self.delay))
        if path == "/_sim/reset":
            self.reset()
        return {"mode": self.mode, "received": len(self.received), "accepted": len(self.accepted)}

    # --- running it ---------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        sim = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test and demo output clean
                pass

            def _reply(self, status: int, payload: dict) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                except ValueError:
                    length = 0
                raw = self.rfile.read(length) if length > 0 else b""
                split = urllib.parse.urlsplit(self.path)
                if split.path.startswith("/_sim/"):
                    return self._reply(200, sim.control(split.path, raw))
                query = {k: v[-1] for k, v in urllib.parse.parse_qs(split.query).items()}
                status, reply = sim.handle(split.path, query, raw)
                self._reply(status, reply)

            def do_GET(self):
                if self.path.startswith("/_sim/"):
                    return self._reply(200, sim.control("/_sim/status", b""))
                self._reply(404, {"errcode": 404, "errmsg": "not found"})

        self.host = host
        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        serve_in_background(self._server)
        return self.url

    def stop(self) -> None:
        hold, self._hold = self._hold, None
        if hold is not None:
            hold.close()
        if self._server is not None:
            stop_serving(self._server)
            self._server = None

    def go_down(self) -> None:
        """Stop listening: callers get "connection refused" until ``come_back``. The port stays
        bound (to a socket that does not listen), so nothing else is given it meanwhile — which
        keeps a simulator started on port 0 able to come back on the same URL."""
        self.stop()
        hold = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        hold.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            hold.bind((self.host, self.port))
        except OSError:
            hold.close()
            self._hold = None
        else:
            self._hold = hold

    def come_back(self) -> None:
        self.stop()  # releases the held port
        self.start(self.host, self.port)


def start_all(
    host: str = "127.0.0.1",
    *,
    secrets: dict[str, str] | None = None,
    ports: dict[str, int] | None = None,
) -> dict[str, RobotSimulator]:
    """One running simulator per robot kind."""
    secrets = secrets or {}
    ports = ports or {}
    sims = {}
    for kind in PATHS:
        sim = RobotSimulator(kind, token=f"{kind}-demo-token", secret=secrets.get(kind, ""))
        sim.start(host, ports.get(kind, 0))
        sims[kind] = sim
    return sims
