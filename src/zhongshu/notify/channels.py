"""What each channel sends and how: message bodies, signatures, and the HTTP call.

Robot protocols (see docs/notifications.md):

* WeCom: ``POST <webhook_url>`` (the URL carries ``?key=``), ``{"msgtype": "text", "text":
  {"content", "mentioned_list", "mentioned_mobile_list"}}``, content at most 2048 bytes; success is
  ``{"errcode": 0}``, 45009 is the platform's rate limit.
* DingTalk: ``&timestamp=<ms>&sign=<urlquote_plus(base64(HMAC-SHA256(secret, f"{ms}\\n{secret}")))>``
  added to the webhook URL; ``{"msgtype": "text", "text": {"content"}, "at": {"atMobiles"}}``.
* Feishu: ``"timestamp"`` (seconds) and ``"sign"`` = base64(HMAC-SHA256(key=f"{ts}\\n{secret}",
  msg=b"")) in the body; success is ``{"code": 0}``.
"""

import base64
import hashlib
import hmac
import time
import urllib.parse
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.mail import send_mail

from . import conf
from .models import Channel

WECOM_MAX_BYTES = 2048
TEXT_MAX_BYTES = 4000
# errcodes meaning "too many messages": wait, do not count it as a failed try
THROTTLE_CODES = {
    Channel.WECOM: {"45009"},
    Channel.DINGTALK: {"130101", "410100"},
    Channel.FEISHU: {"9499", "11232"},
}


def clip_utf8(text: str, limit: int) -> str:
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode(errors="ignore") + "…"


def absolute(link: str) -> str:
    base = conf.public_base_url()
    if link and link.startswith("/") and base:
        return base + link
    return link


def text_of(subject: str, body: str, link: str) -> str:
    parts = [subject]
    if body:
        parts.append(body)
    if link:
        parts.append(absolute(link))
    return "\n".join(parts)


def robot_payload(kind: str, *, subject: str, body: str, link: str, contacts: list) -> dict:
    """The unsigned request body for one robot message mentioning ``contacts``
    (objects with ``wecom_userid``, ``mobile`` and ``name``)."""
    text = text_of(subject, body, link)
    if kind == Channel.WECOM:
        userids = [c.wecom_userid for c in contacts if c.wecom_userid]
        mobiles = [c.mobile for c in contacts if c.mobile and not c.wecom_userid]
        return {
            "msgtype": "text",
            "text": {
                "content": clip_utf8(text, WECOM_MAX_BYTES),
                "mentioned_list": userids,
                "mentioned_mobile_list": mobiles,
            },
        }
    if kind == Channel.DINGTALK:
        mobiles = [c.mobile for c in contacts if c.mobile]
        # DingTalk renders the mention only when "@<mobile>" also appears in the text
        mention = " ".join(f"@{m}" for m in mobiles)
        content = f"{text}\n{mention}" if mention else text
        return {
            "msgtype": "text",
            "text": {"content": clip_utf8(content, TEXT_MAX_BYTES)},
            "at": {"atMobiles": mobiles, "isAtAll": False},
        }
    if kind == Channel.FEISHU:
        # a known Feishu user_id becomes a real mention; the others are named
        mention = " ".join(
            f'<at user_id="{c.feishu_user_id}">{c.name}</at>'
            if getattr(c, "feishu_user_id", "")
            else f"@{c.name}"
            for c in contacts
            if c.name or getattr(c, "feishu_user_id", "")
        )
        content = f"{text}\n{mention}" if mention else text
        return {"msg_type": "text", "content": {"text": clip_utf8(content, TEXT_MAX_BYTES)}}
    raise ValueError(kind)


# --- signing -------------------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_request(kind: str, url: str, secret: str, payload: dict, *, now: float | None = None):
    """(url, json body) ready to post, signed with the current time when the robot has a secret."""
    now = time.time() if now is None else now
    if kind == Channel.DINGTALK and secret:
        ms = int(now * 1000)
        sep = "&" if "?" in url else "?"
        return f"{url}{sep}timestamp={ms}&sign={dingtalk_sign(secret, ms)}", payload
    if kind == Channel.FEISHU and secret:
        ts = int(now)
        return url, {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **payload}
    return url, payload


# --- sending -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    ok: bool
    throttled: bool = False
    http_status: int | None = None
    error_code: str = ""
    error: str = ""
    # the platform will never accept this message (an unknown person): no retry
    permanent: bool = False


def send_robot(robot, payload: dict, *, client: httpx.Client | None = None) -> Outcome:
    url, body = signed_request(robot.kind, robot.webhook_url, robot.secret, payload)
    timeout = conf.get("NOTIFY_HTTP_TIMEOUT")
    try:
        if client is None:
            with httpx.Client(timeout=timeout) as own:
                response = own.post(url, json=body)
        else:
            response = client.post(url, json=body, timeout=timeout)
    except httpx.HTTPError as exc:
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
    status = response.status_code
    try:
        reply = response.json()
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        return Outcome(ok=False, http_status=status, error=response.text[:200] or f"HTTP {status}")
    code = reply.get("code", reply.get("errcode", reply.get("StatusCode")))
    message = str(reply.get("msg", reply.get("errmsg", "")))[:400]
    if status < 300 and code in (0, "0"):
        return Outcome(ok=True, http_status=status)
    code = "" if code is None else str(code)
    return Outcome(
        ok=False,
        throttled=code in THROTTLE_CODES.get(robot.kind, set()),
        http_status=status,
        error_code=code,
        error=message or f"HTTP {status}",
    )


def send_email(message) -> Outcome:
    address = message.target.removeprefix("email:")
    text = message.body
    if message.link:
        text = f"{text}\n\n{absolute(message.link)}" if text else absolute(message.link)
    try:
        send_mail(
            message.subject,
            text,
            getattr(settings, "DEFAULT_FROM_EMAIL", None),
            [address],
            fail_silently=False,
        )
    except Exception as exc:  # SMTP errors come in many classes; each one is a failed try
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
    return Outcome(ok=True)
