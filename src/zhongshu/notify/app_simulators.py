"""Local stand-ins for the three platforms' internal apps, for the demo and the tests: one HTTP
server per platform speaking its token, message and sign-in endpoints (paths in
``notify.chatapps``).

What it enforces like the platform: the app's credentials; access tokens that expire
(``token_ttl`` seconds on ``clock``) and are refused with the platform's "invalid"/"expired"
codes; the message shape (an empty message is refused); the people the company has (``users``:
platform user id → unionId) — an unknown one gets WeCom's ``invaliduser`` / 81013, Feishu's 230001
"invalid receive_id"; 30 messages per person per minute; the platforms' duplicate checks (WeCom's
``enable_duplicate_check``, Feishu's ``uuid``, DingTalk's same content to the same person);
sign-in codes that are single-use and expire after five minutes.

The "phone": ``phone_user`` is who is signed in to the chat app on the simulated phone; the
authorize endpoint redirects back with a code for them (or refuses when nobody is).

``delivered`` lists what reached a person's chat (duplicates dropped), ``received`` every request.
``sign_card_click`` builds a Feishu card callback signed like the platform does.
"""

import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from zhongshu.core.local_servers import serve_in_background, stop_serving

CODE_TTL = 300
PER_PERSON_MINUTE = 30


@dataclass
class Delivered:
    at: float
    to: str
    title: str
    text: str
    url: str
    body: dict


class ChatAppSimulator:
    def __init__(
        self,
        kind: str,
        *,
        client_id: str = "sim-app",
        secret: str = "sim-secret",
        agent_id: str = "1000002",
        users: dict[str, str] | None = None,
        clock=None,
        token_ttl: int = 7200,
    ):
        if kind not in ("wecom", "dingtalk", "feishu"):
            raise ValueError(kind)
        self.kind = kind
        self.client_id, self.secret, self.agent_id = client_id, secret, agent_id
        # platform user id → unionId (DingTalk signs in by unionId; the others by the user id)
        self.users = dict(users or {})
        self.clock = clock or time.time
        self.token_ttl = token_ttl
        self.phone_user = ""
        self.delay = 0.0
        self.delivered: list[Delivered] = []
        self.received: list[tuple[str, str]] = []
        self.tokens: dict[str, float] = {}
        self.codes: dict[str, tuple[str, float]] = {}
        self.user_tokens: dict[str, str] = {}
        self._sent_at: dict[str, list[float]] = {}
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    # --- tokens -------------------------------------------------------------------------------

    def _issue_token(self) -> str:
        token = secrets.token_hex(16)
        with self._lock:
            self.tokens[token] = self.clock() + self.token_ttl
        return token

    def expire_tokens(self) -> None:
        """Invalidate every token issued so far (the platform was reset, the secret rotated)."""
        with self._lock:
            self.tokens.clear()

    def _token_state(self, token: str) -> str:
        with self._lock:
            until = self.tokens.get(token)
        if until is None:
            return "invalid"
        return "expired" if until <= self.clock() else "ok"

    # --- sign-in codes ------------------------------------------------------------------------

    def _issue_code(self, who: str) -> str:
        code = secrets.token_urlsafe(18)
        with self._lock:
            self.codes[code] = (who, self.clock() + CODE_TTL)
        return code

    def _redeem(self, code: str) -> str | None:
        with self._lock:
            who, until = self.codes.pop(code, ("", 0.0))  # single use: gone once asked for
        return who if who and until > self.clock() else None

    # --- messages -----------------------------------------------------------------------------

    def _deliver(self, to: str, title: str, text: str, url: str, body: dict, dedupe: str) -> str:
        """ "ok", "duplicate" (dropped silently, as the platforms do) or "throttled"."""
        now = self.clock()
        with self._lock:
            if dedupe and self._seen.get(dedupe, 0) > now:
                return "duplicate"
            recent = [t for t in self._sent_at.get(to, []) if t > now - 60]
            if len(recent) >= PER_PERSON_MINUTE:
                return "throttled"
            self._sent_at[to] = [*recent, now]
            if dedupe:
                self._seen[dedupe] = now + 1800
            self.delivered.append(Delivered(time.time(), to, title, text, url, body))
        return "ok"

    def delivered_to(self, to: str) -> list[Delivered]:
        with self._lock:
            return [d for d in self.delivered if d.to == to]

    # --- the protocol -------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict, headers, raw: bytes):
        """(status, JSON reply or None, redirect location or None)."""
        with self._lock:
            self.received.append((method, path))
        if self.delay:
            time.sleep(self.delay)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return 400, {"errcode": 40000, "code": 40000, "errmsg": "invalid json"}, None
        handler = getattr(self, f"_{self.kind}")
        return handler(method, path, query, headers, body)

    def _authorize(self, query: dict, code_name: str = "code"):
        redirect = query.get("redirect_uri", "")
        if not redirect or not self.phone_user:
            return 403, {"errcode": 50001, "errmsg": "redirect_uri or user missing"}, None
        code = self._issue_code(self.phone_user)
        sep = "&" if "?" in redirect else "?"
        params = urllib.parse.urlencode({code_name: code, "state": query.get("state", "")})
        return 302, None, f"{redirect}{sep}{params}"

    def _wecom(self, method, path, query, headers, body):
        if path == "/cgi-bin/gettoken":
            if query.get("corpid") != self.client_id or query.get("corpsecret") != self.secret:
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}, None
            return (
                200,
                {"errcode": 0, "errmsg": "ok", "access_token": self._issue_token(),
                 "expires_in": self.token_ttl},
                None,
            )  # fmt: skip
        if path == "/connect/oauth2/authorize":
            if query.get("appid") != self.client_id or query.get("scope") != "snsapi_base":
                return 400, {"errcode": 40013, "errmsg": "invalid appid"}, None
            return self._authorize(query)
        state = self._token_state(query.get("access_token", ""))
        if state != "ok":
            code = 42001 if state == "expired" else 40014
            return 200, {"errcode": code, "errmsg": f"access_token {state}"}, None
        if path == "/cgi-bin/auth/getuserinfo":
            who = self._redeem(query.get("code", ""))
            if who is None:
                return 200, {"errcode": 40029, "errmsg": "invalid code"}, None
            if who not in self.users:  # not a member: WeCom gives an openid, no userid
                return 200, {"errcode": 0, "errmsg": "ok", "openid": f"o-{who}"}, None
            return 200, {"errcode": 0, "errmsg": "ok", "userid": who}, None
        if path == "/cgi-bin/message/send":
            card = body.get("textcard") or {}
            if str(body.get("agentid")) != self.agent_id:
                return 200, {"errcode": 40056, "errmsg": "invalid agentid"}, None
            if not card.get("title") or not card.get("description") or not card.get("url"):
                return 200, {"errcode": 44004, "errmsg": "empty content"}, None
            wanted = [u for u in str(body.get("touser", "")).split("|") if u]
            invalid = [u for u in wanted if u not in self.users]
            if not wanted or len(invalid) == len(wanted):
                return (
                    200,
                    {"errcode": 81013, "errmsg": "user & party & tag all invalid",
                     "invaliduser": "|".join(invalid)},
                    None,
                )  # fmt: skip
            for to in (u for u in wanted if u not in invalid):
                content = f"{card['title']}\n{card['description']}\n{card['url']}"
                dedupe = f"{to}:{content}" if body.get("enable_duplicate_check") else ""
                outcome = self._deliver(
                    to, card["title"], card["description"], card["url"], body, dedupe
                )
                if outcome == "throttled":
                    return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}, None
            return (
                200,
                {"errcode": 0, "errmsg": "ok", "invaliduser": "|".join(invalid),
                 "msgid": secrets.token_hex(8)},
                None,
            )  # fmt: skip
        return 404, {"errcode": 404, "errmsg": "not found"}, None

    def _dingtalk(self, method, path, query, headers, body):
        if path == "/gettoken":
            if query.get("appkey") != self.client_id or query.get("appsecret") != self.secret:
                return 200, {"errcode": 40089, "errmsg": "invalid appkey or appsecret"}, None
            return (
                200,
                {"errcode": 0, "errmsg": "ok", "access_token": self._issue_token(),
                 "expires_in": self.token_ttl},
                None,
            )  # fmt: skip
        if path == "/oauth2/auth":
            if query.get("client_id") != self.client_id:
                return 400, {"code": "invalidClientId", "message": "client_id"}, None
            return self._authorize(query, "authCode")
        if path == "/v1.0/oauth2/userAccessToken":
            if body.get("clientId") != self.client_id or body.get("clientSecret") != self.secret:
                return 400, {"code": "invalidClient", "message": "client invalid"}, None
            who = self._redeem(str(body.get("code", "")))
            if who is None:
                return 400, {"code": "invalidAuthCode", "message": "code invalid"}, None
            token = secrets.token_hex(16)
            with self._lock:
                self.user_tokens[token] = who
            return 200, {"accessToken": token, "refreshToken": "r", "expireIn": 7200}, None
        if path == "/v1.0/contact/users/me":
            with self._lock:
                who = self.user_tokens.get(headers.get("x-acs-dingtalk-access-token", ""))
            if who is None:
                return 401, {"code": "InvalidAuthentication", "message": "token invalid"}, None
            return 200, {"nick": who, "unionId": self.users.get(who, f"u-{who}")}, None
        state = self._token_state(query.get("access_token", ""))
        if state != "ok":
            code = 42001 if state == "expired" else 40014
            return 200, {"errcode": code, "errmsg": f"access_token {state}"}, None
        if path == "/topapi/message/corpconversation/asyncsend_v2":
            card = (body.get("msg") or {}).get("action_card") or {}
            if str(body.get("agent_id")) != self.agent_id:
                return 200, {"errcode": 40056, "errmsg": "invalid agent_id"}, None
            if not card.get("title") or not card.get("markdown") or not card.get("single_url"):
                return 200, {"errcode": 40035, "errmsg": "empty message"}, None
            wanted = [u for u in str(body.get("userid_list", "")).split(",") if u]
            if not wanted:
                return 200, {"errcode": 40035, "errmsg": "userid_list empty"}, None
            for to in (u for u in wanted if u in self.users):  # unknown ids: dropped, async
                # DingTalk: the same content reaches the same person once a day
                dedupe = f"{to}:{card['title']}:{card['markdown']}:{card['single_url']}"
                outcome = self._deliver(
                    to, card["title"], card["markdown"], card["single_url"], body, dedupe
                )
                if outcome == "throttled":
                    return 200, {"errcode": 90018, "errmsg": "too many requests"}, None
            return 200, {"errcode": 0, "errmsg": "ok", "task_id": secrets.randbelow(10**9)}, None
        return 404, {"errcode": 404, "errmsg": "not found"}, None

    def _feishu(self, method, path, query, headers, body):
        if path in (
            "/open-apis/auth/v3/tenant_access_token/internal",
            "/open-apis/auth/v3/app_access_token/internal",
        ):
            if body.get("app_id") != self.client_id or body.get("app_secret") != self.secret:
                return 400, {"code": 10014, "msg": "app secret invalid"}, None
            name = "tenant_access_token" if "tenant" in path else "app_access_token"
            return 200, {"code": 0, "msg": "ok", name: self._issue_token(),
                         "expire": self.token_ttl}, None  # fmt: skip
        if path == "/open-apis/authen/v1/authorize":
            if query.get("app_id") != self.client_id:
                return 400, {"code": 20001, "msg": "invalid app_id"}, None
            return self._authorize(query)
        bearer = headers.get("Authorization", "").removeprefix("Bearer ")
        if path == "/open-apis/authen/v1/user_info":
            with self._lock:
                who = self.user_tokens.get(bearer)
            if who is None:
                return 400, {"code": 99991668, "msg": "Invalid access token"}, None
            return 200, {"code": 0, "data": {"user_id": who, "open_id": f"ou_{who}"}}, None
        state = self._token_state(bearer)
        if state != "ok":
            code = 99991663 if state == "expired" else 99991668
            return 400, {"code": code, "msg": f"token {state}"}, None
        if path == "/open-apis/authen/v1/oidc/access_token":
            who = self._redeem(str(body.get("code", "")))
            if who is None:
                return 400, {"code": 20003, "msg": "invalid code"}, None
            token = secrets.token_hex(16)
            with self._lock:
                self.user_tokens[token] = who
            return 200, {"code": 0, "data": {"access_token": token, "expires_in": 7200}}, None
        if path == "/open-apis/im/v1/messages":
            if query.get("receive_id_type") != "user_id":
                return 400, {"code": 230001, "msg": "invalid receive_id_type"}, None
            try:
                card = json.loads(body.get("content") or "")
            except ValueError:
                card = None
            if body.get("msg_type") != "interactive" or not isinstance(card, dict) or not card:
                return 400, {"code": 230001, "msg": "invalid content, empty message"}, None
            to = str(body.get("receive_id", ""))
            if to not in self.users:
                return 400, {"code": 230001, "msg": "ext=invalid receive_id"}, None
            title = ((card.get("header") or {}).get("title") or {}).get("content", "")
            elements = card.get("elements") or [{}]
            text = ((elements[0] or {}).get("text") or {}).get("content", "")
            dedupe = f"uuid:{body['uuid']}" if body.get("uuid") else ""
            outcome = self._deliver(to, title, text, _card_url(card), body, dedupe)
            if outcome == "throttled":
                return 400, {"code": 99991400, "msg": "request trigger frequency limit"}, None
            return 200, {"code": 0, "msg": "success", "data": {"message_id": "om_sim"}}, None
        return 404, {"code": 404, "msg": "not found"}, None

    def phone_page(self) -> str:
        """The simulated phone of ``phone_user``: the messages their chat shows, newest first,
        each with its link (for the demo)."""
        from html import escape

        items = "".join(
            f"<li><b>{escape(d.title)}</b><br>{escape(d.text)}<br>"
            f'<a href="{escape(d.url)}">详情</a></li>'
            for d in reversed(self.delivered_to(self.phone_user))
        )
        return (
            '<!doctype html><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1">'
            f"<title>{escape(self.kind)} · {escape(self.phone_user)}</title>"
            f"<h1>{escape(self.phone_user) or '—'}</h1><ul>{items or '<li>暂无消息</li>'}</ul>"
        )

    # --- running it ---------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        sim = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, method: str):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length > 0 else b""
                split = urllib.parse.urlsplit(self.path)
                query = {k: v[-1] for k, v in urllib.parse.parse_qs(split.query).items()}
                status, reply, location = sim.handle(method, split.path, query, self.headers, raw)
                data = json.dumps(reply or {}, ensure_ascii=False).encode()
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path.split("?")[0] == "/_phone":
                    data = sim.phone_page().encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

        self._server = _Server((host, port), Handler)
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_address[1]}"
        serve_in_background(self._server)
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            stop_serving(self._server)
            self._server = None


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # a caller killed mid-request (the crash tests do it on purpose) is no error here
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _card_url(card: dict) -> str:
    for element in card.get("elements") or []:
        for action in (element or {}).get("actions") or []:
            url = (action.get("multi_url") or {}).get("url")
            if url:
                return url
    return ""


def sign_card_click(
    *, user_id: str, value: dict, token: str, key: str, nonce: str = "", at: float | None = None
) -> tuple[bytes, dict]:
    """A ``card.action.trigger`` callback body and its headers, signed as Feishu signs them."""
    import hashlib

    ts = str(int(time.time() if at is None else at))
    nonce = nonce or secrets.token_hex(8)
    body = json.dumps(
        {
            "schema": "2.0",
            "header": {
                "event_id": secrets.token_hex(16),
                "token": token,
                "event_type": "card.action.trigger",
            },
            "event": {
                "operator": {"user_id": user_id, "open_id": f"ou_{user_id}"},
                "action": {"tag": "button", "value": value},
            },
        }
    ).encode()
    sign = hashlib.sha256((ts + nonce + key).encode() + body).hexdigest()
    headers = {
        "X-Lark-Request-Timestamp": ts,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": sign,
        "Content-Type": "application/json",
    }
    return body, headers
