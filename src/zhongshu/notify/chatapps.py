"""The three chat platforms' internal apps: access tokens, a message to one person, and the
sign-in code exchange. All platform HTTP of the internal apps lives here (docs/notifications.md).

* WeCom 自建应用: ``GET /cgi-bin/gettoken?corpid&corpsecret``; ``POST /cgi-bin/message/send``
  (textcard, ``touser``, ``agentid``, the platform's duplicate check on); an answer with a
  non-empty ``invaliduser`` means the id is unknown there. Sign-in: snsapi_base, then
  ``GET /cgi-bin/auth/getuserinfo?access_token&code`` → ``userid``.
* DingTalk 工作通知: ``GET /gettoken?appkey&appsecret``; ``POST /topapi/message/corpconversation/
  asyncsend_v2`` (action_card, ``userid_list``, ``agent_id``). Sign-in: OAuth2,
  ``POST /v1.0/oauth2/userAccessToken`` then ``GET /v1.0/contact/users/me`` → ``unionId``.
* Feishu app: ``POST /open-apis/auth/v3/tenant_access_token/internal``; ``POST /open-apis/im/v1/
  messages?receive_id_type=user_id`` with an interactive card and a ``uuid`` (the platform drops a
  repeat within the hour). Sign-in: ``POST /open-apis/authen/v1/oidc/access_token`` (with an
  app_access_token) then ``GET /open-apis/authen/v1/user_info`` → ``user_id``.

A token is cached on the ``ChatApp`` row (encrypted) until shortly before it expires, and fetched
anew — once per call — when the platform answers that it is invalid or expired.
"""

import datetime as dt
import json
import urllib.parse

import httpx
from django.utils import timezone

from zhongshu.core import crypto

from . import conf
from .channels import Outcome, absolute, clip_utf8
from .models import Channel, ChatApp

SECRET_INFO = b"zhongshu.notify.chatapp"
DEFAULT_BASES = {
    # (api, open api, sign-in)
    "wecom": ("https://qyapi.weixin.qq.com", "", "https://open.weixin.qq.com"),
    "dingtalk": (
        "https://oapi.dingtalk.com",
        "https://api.dingtalk.com",
        "https://login.dingtalk.com",
    ),
    "feishu": ("https://open.feishu.cn", "", "https://open.feishu.cn"),
}
# the platforms' "this access token is invalid or expired" answers
TOKEN_INVALID = {
    "wecom": {"40014", "42001", "41001"},
    "dingtalk": {"40014", "42001", "41001", "88"},
    "feishu": {"99991663", "99991668", "99991661", "99991664"},
}
THROTTLED = {"wecom": {"45009", "45033"}, "dingtalk": {"90018", "90002"}, "feishu": {"99991400"}}
KIND_OF_CHANNEL: dict[str, str] = {
    Channel.WECOM_APP: "wecom",
    Channel.DINGTALK_APP: "dingtalk",
    Channel.FEISHU_APP: "feishu",
}
CHANNEL_OF_KIND = {v: k for k, v in KIND_OF_CHANNEL.items()}
# which profile field holds the id a platform's app knows a person by
PROFILE_FIELD = {"wecom": "wecom_userid", "dingtalk": "dingtalk_userid", "feishu": "feishu_user_id"}
# which profile field a sign-in is matched against
SIGNIN_FIELD = {"wecom": "wecom_userid", "dingtalk": "dingtalk_unionid", "feishu": "feishu_user_id"}


class PlatformError(Exception):
    def __init__(self, code: str, message: str = ""):
        super().__init__(f"[{code}] {message}")
        self.code = str(code)
        self.message = message


def seal(plain: str) -> str:
    return crypto.encrypt(plain, info=SECRET_INFO)


def unseal(token: str) -> str:
    return crypto.decrypt(token, info=SECRET_INFO) or ""


def bases(app: ChatApp) -> tuple[str, str, str]:
    api, open_api, oauth = DEFAULT_BASES[app.kind]
    return (
        (app.api_base or api).rstrip("/"),
        (app.open_api_base or open_api or app.api_base or api).rstrip("/"),
        (app.oauth_base or oauth).rstrip("/"),
    )


def _json(response: httpx.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        raise PlatformError(f"http{response.status_code}", response.text[:200]) from None
    if not isinstance(data, dict):
        raise PlatformError(f"http{response.status_code}", "not a JSON object")
    return data


def _code(data: dict) -> str:
    code = data.get("errcode", data.get("code", 0))
    return str(code if code is not None else 0)


# --- tokens --------------------------------------------------------------------------------------


def _fetch_token(app: ChatApp, client: httpx.Client) -> tuple[str, int]:
    api, _open, _oauth = bases(app)
    secret = unseal(app.secret_encrypted)
    if app.kind == "wecom":
        r = client.get(
            f"{api}/cgi-bin/gettoken", params={"corpid": app.client_id, "corpsecret": secret}
        )
        data = _json(r)
        token, ttl = data.get("access_token"), data.get("expires_in", 7200)
    elif app.kind == "dingtalk":
        r = client.get(f"{api}/gettoken", params={"appkey": app.client_id, "appsecret": secret})
        data = _json(r)
        token, ttl = data.get("access_token"), data.get("expires_in", 7200)
    else:
        r = client.post(
            f"{api}/open-apis/auth/v3/tenant_access_token/internal",
            json={"app_id": app.client_id, "app_secret": secret},
        )
        data = _json(r)
        token, ttl = data.get("tenant_access_token"), data.get("expire", 7200)
    if _code(data) != "0" or not token:
        raise PlatformError(_code(data), str(data.get("errmsg", data.get("msg", ""))))
    return str(token), int(ttl)


def access_token(app: ChatApp, client: httpx.Client, *, fresh: bool = False) -> str:
    """The app's cached token, or a new one when it is missing, about to expire or ``fresh``."""
    now = timezone.now()
    if not fresh:
        # the row, not this instance: another message's send (or worker) may have cached one
        sealed, expires = (
            ChatApp.objects.filter(pk=app.pk)
            .values_list("access_token_encrypted", "token_expires_at")
            .first()
        ) or ("", None)
        if expires and expires > now + dt.timedelta(seconds=60):
            cached = unseal(sealed)
            if cached:
                return cached
    token, ttl = _fetch_token(app, client)
    app.access_token_encrypted = seal(token)
    app.token_expires_at = now + dt.timedelta(seconds=ttl)
    ChatApp.objects.filter(pk=app.pk).update(
        access_token_encrypted=app.access_token_encrypted, token_expires_at=app.token_expires_at
    )
    return token


def with_token(app: ChatApp, client: httpx.Client, call):
    """``call(token)`` → reply dict; on a "token invalid" answer fetch a new token and call once
    more (another worker or a restart of the platform may have invalidated ours)."""
    data = call(access_token(app, client))
    if _code(data) in TOKEN_INVALID[app.kind]:
        data = call(access_token(app, client, fresh=True))
    return data


# --- messages to one person ----------------------------------------------------------------------


def signin_link(app: ChatApp, link: str) -> str:
    """The absolute link a message carries: through the app's sign-in, landing on ``link``."""
    if not link:
        return absolute("/")
    query = urllib.parse.urlencode({"next": link})
    return absolute(f"/notifications/signin/{app.kind}/?{query}") if link.startswith("/") else link


def app_body(app: ChatApp, message) -> dict:
    """The request body for one message to the person ``message.payload["to"]``."""
    to = str(message.payload.get("to", ""))
    title = message.subject or "中枢"
    text = message.body or title
    url = signin_link(app, message.link)
    if app.kind == "wecom":
        return {
            "touser": to,
            "msgtype": "textcard",
            "agentid": int(app.agent_id or 0),
            "textcard": {
                "title": clip_utf8(title, 128),
                "description": clip_utf8(text, 512),
                "url": url,
                "btntxt": "详情",
            },
            # the platform drops the same content to the same person within the interval: a
            # message re-sent after a worker died mid-call reaches the person once
            "enable_duplicate_check": 1,
            "duplicate_check_interval": 1800,
        }
    if app.kind == "dingtalk":
        return {
            "agent_id": int(app.agent_id or 0),
            "userid_list": to,
            "msg": {
                "msgtype": "action_card",
                "action_card": {
                    "title": clip_utf8(title, 128),
                    "markdown": clip_utf8(f"### {title}\n\n{text}", 4000),
                    "single_title": "查看详情",
                    "single_url": url,
                },
            },
        }
    return {
        "receive_id": to,
        "msg_type": "interactive",
        "content": json.dumps(feishu_card(title, text, url, message.payload), ensure_ascii=False),
        # Feishu drops a second request with the same uuid within an hour
        "uuid": f"zs-{message.pk}",
    }


def feishu_card(title: str, text: str, url: str, payload: dict) -> dict:
    """An interactive card: the text, a link button, and the callback buttons the caller asked for
    (``payload["actions"]``: ``[{"text", "value", "style"}]``)."""
    buttons = [
        {
            "tag": "button",
            "text": {"tag": "plain_text", "content": "查看详情"},
            "type": "default",
            "multi_url": {"url": url, "pc_url": url, "android_url": url, "ios_url": url},
        }
    ]
    for action in payload.get("actions") or []:
        buttons.append(
            {
                "tag": "button",
                "text": {"tag": "plain_text", "content": str(action.get("text", ""))[:20]},
                "type": action.get("style", "primary"),
                "value": action.get("value", {}),
            }
        )
    return {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": title[:100]}},
        "elements": [
            {"tag": "div", "text": {"tag": "lark_md", "content": text[:2000]}},
            {"tag": "action", "actions": buttons},
        ],
    }


def _post_message(app: ChatApp, client: httpx.Client, body: dict, token: str) -> dict:
    api, _open, _oauth = bases(app)
    if app.kind == "wecom":
        r = client.post(f"{api}/cgi-bin/message/send", params={"access_token": token}, json=body)
    elif app.kind == "dingtalk":
        r = client.post(
            f"{api}/topapi/message/corpconversation/asyncsend_v2",
            params={"access_token": token},
            json=body,
        )
    else:
        r = client.post(
            f"{api}/open-apis/im/v1/messages",
            params={"receive_id_type": "user_id"},
            headers={"Authorization": f"Bearer {token}"},
            json=body,
        )
    data = _json(r)
    data["_http"] = r.status_code
    return data


def send_app(message, client: httpx.Client) -> Outcome:
    """Send one message to one person through its app. ``permanent`` outcomes (an id the platform
    does not know) are not retried: the person is told in the inbox instead."""
    app = message.app
    if app is None:
        return Outcome(ok=False, error="app removed")
    if not app.enabled:
        return Outcome(ok=False, error="app disabled")
    body = app_body(app, message)
    try:
        data = with_token(app, client, lambda token: _post_message(app, client, body, token))
    except PlatformError as exc:
        return Outcome(ok=False, error_code=exc.code[:40], error=exc.message[:400])
    except httpx.HTTPError as exc:
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
    status = data.pop("_http", None)
    code = _code(data)
    text = str(data.get("errmsg", data.get("msg", "")))[:400]
    if code == "0":
        invalid = str(data.get("invaliduser") or "")
        if invalid:
            return Outcome(
                ok=False,
                http_status=status,
                error_code="invaliduser",
                error=invalid,
                permanent=True,
            )
        return Outcome(ok=True, http_status=status)
    permanent = (app.kind == "wecom" and code == "81013") or (
        app.kind == "feishu" and code == "230001" and "receive_id" in text
    )
    return Outcome(
        ok=False,
        throttled=code in THROTTLED[app.kind],
        http_status=status,
        error_code=code[:40],
        error=text or f"HTTP {status}",
        permanent=permanent,
    )


# --- sign-in -------------------------------------------------------------------------------------


def authorize_url(app: ChatApp, redirect_uri: str, state: str) -> str:
    """Where the browser goes to be identified by the platform."""
    _api, _open, oauth = bases(app)
    if app.kind == "wecom":
        query = {
            "appid": app.client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
            "agentid": app.agent_id,
        }
        return f"{oauth}/connect/oauth2/authorize?{urllib.parse.urlencode(query)}#wechat_redirect"
    if app.kind == "dingtalk":
        query = {
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "client_id": app.client_id,
            "scope": "openid",
            "state": state,
            "prompt": "consent",
        }
        return f"{oauth}/oauth2/auth?{urllib.parse.urlencode(query)}"
    query = {"app_id": app.client_id, "redirect_uri": redirect_uri, "state": state}
    return f"{oauth}/open-apis/authen/v1/authorize?{urllib.parse.urlencode(query)}"


def identify(app: ChatApp, code: str, client: httpx.Client) -> str:
    """The platform's id of the person a sign-in ``code`` was issued for (``SIGNIN_FIELD``).
    Raises ``PlatformError`` when the platform refuses the code (used, expired, forged)."""
    api, open_api, _oauth = bases(app)
    secret = unseal(app.secret_encrypted)
    if app.kind == "wecom":

        def call(token):
            r = client.get(
                f"{api}/cgi-bin/auth/getuserinfo", params={"access_token": token, "code": code}
            )
            return _json(r)

        data = with_token(app, client, call)
        if _code(data) != "0":
            raise PlatformError(_code(data), str(data.get("errmsg", "")))
        # someone outside the company gets an openid, never a userid
        return str(data.get("userid") or "")
    if app.kind == "dingtalk":
        r = client.post(
            f"{open_api}/v1.0/oauth2/userAccessToken",
            json={
                "clientId": app.client_id,
                "clientSecret": secret,
                "code": code,
                "grantType": "authorization_code",
            },
        )
        data = _json(r)
        if r.status_code >= 300 or not data.get("accessToken"):
            raise PlatformError(str(data.get("code", r.status_code)), str(data.get("message", "")))
        r = client.get(
            f"{open_api}/v1.0/contact/users/me",
            headers={"x-acs-dingtalk-access-token": str(data["accessToken"])},
        )
        me = _json(r)
        if r.status_code >= 300:
            raise PlatformError(str(me.get("code", r.status_code)), str(me.get("message", "")))
        return str(me.get("unionId") or "")
    r = client.post(
        f"{api}/open-apis/auth/v3/app_access_token/internal",
        json={"app_id": app.client_id, "app_secret": secret},
    )
    data = _json(r)
    if _code(data) != "0":
        raise PlatformError(_code(data), str(data.get("msg", "")))
    r = client.post(
        f"{api}/open-apis/authen/v1/oidc/access_token",
        headers={"Authorization": f"Bearer {data.get('app_access_token', '')}"},
        json={"grant_type": "authorization_code", "code": code},
    )
    data = _json(r)
    user_token = (data.get("data") or {}).get("access_token")
    if _code(data) != "0" or not user_token:
        raise PlatformError(_code(data), str(data.get("msg", "")))
    r = client.get(
        f"{api}/open-apis/authen/v1/user_info", headers={"Authorization": f"Bearer {user_token}"}
    )
    data = _json(r)
    if _code(data) != "0":
        raise PlatformError(_code(data), str(data.get("msg", "")))
    return str((data.get("data") or {}).get("user_id") or "")


def http_client() -> httpx.Client:
    return httpx.Client(timeout=conf.get("NOTIFY_HTTP_TIMEOUT"))
