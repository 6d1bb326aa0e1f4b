"""Signing and the time format of Taobao TOP and Douyin shop requests and pushes
(docs/integrations.md has the protocol facts)."""

import datetime as dt
import hashlib
import hmac
import json
from typing import Any
from zoneinfo import ZoneInfo

CN = ZoneInfo("Asia/Shanghai")


def top_sign(params: dict[str, Any], secret: str, method: str = "md5") -> str:
    s = "".join(f"{k}{v}" for k, v in sorted(params.items()) if k != "sign" and v not in ("", None))
    if method == "md5":
        return hashlib.md5((secret + s + secret).encode()).hexdigest().upper()
    if method == "hmac":
        return hmac.new(secret.encode(), s.encode(), hashlib.md5).hexdigest().upper()
    if method == "hmac-sha256":
        return hmac.new(secret.encode(), s.encode(), hashlib.sha256).hexdigest().upper()
    raise ValueError(f"unknown sign_method {method!r}")


def douyin_param_json(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def douyin_sign(*, app_key: str, method: str, param_json: str, timestamp: str, secret: str) -> str:
    msg = f"{secret}app_key{app_key}method{method}param_json{param_json}timestamp{timestamp}v2{secret}"
    return hmac.new(secret.encode(), msg.encode(), hashlib.sha256).hexdigest()


def douyin_event_sign(app_key: str, body: bytes, secret: str) -> str:
    return hashlib.md5(app_key.encode() + body + secret.encode()).hexdigest()


def top_time(value: dt.datetime) -> str:
    return value.astimezone(CN).strftime("%Y-%m-%d %H:%M:%S")


def parse_top_time(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CN)
    except ValueError:
        return None
