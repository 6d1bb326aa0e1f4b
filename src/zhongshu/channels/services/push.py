"""Pushes from the platforms: Taobao TOP messages and Douyin event callbacks."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.core import jsonbody
from zhongshu.core.errors import ValidationFailed

from .. import platforms as p
from ..models import (
    ChannelAccount,
    ChannelKind,
    ChannelOrder,
)
from .accounts import credentials
from .ingest import Ingest


def push_taobao(form: dict[str, str]) -> ChannelOrder:
    """A TOP message: form fields signed like an API call (``sign`` over every other field)."""

    from ..exceptions import BadSignature, Unauthenticated

    app_key, sign = form.get("app_key") or "", form.get("sign") or ""
    account = ChannelAccount.objects.filter(
        kind=ChannelKind.TAOBAO, app_key=app_key, is_active=True
    ).first() if app_key else None  # fmt: skip
    if account is None or not sign:
        raise Unauthenticated()
    secret, _token = credentials(account)
    method = form.get("sign_method") or "md5"
    try:
        expected = p.top_sign(form, secret, method)
    except ValueError:
        raise BadSignature() from None
    if not secret or not _consteq(sign.upper(), expected):
        raise BadSignature()
    stamp = p.parse_top_time(form.get("timestamp"))
    if stamp is None or abs((stamp - dt.datetime.now(dt.UTC)).total_seconds()) > 600:
        raise BadSignature(_("The timestamp is missing or more than 10 minutes off."))
    try:
        ext = p.normalize_taobao(jsonbody.loads(form.get("content") or ""))
    except (ValueError, AttributeError):
        ext = None
    if ext is None:
        raise ValidationFailed({"content": _("The message carries no readable trade.")})
    with transaction.atomic():
        return Ingest(account, source="push").apply(ext)


def push_douyin(headers: dict[str, str], body: bytes) -> list[ChannelOrder]:

    from ..exceptions import BadSignature, Unauthenticated

    app_key = headers.get("app-id") or ""
    sign = headers.get("event-sign") or ""
    account = ChannelAccount.objects.filter(
        kind=ChannelKind.DOUYIN, app_key=app_key, is_active=True
    ).first() if app_key else None  # fmt: skip
    if account is None or not sign:
        raise Unauthenticated()
    secret, _token = credentials(account)
    if not secret or not _consteq(sign.lower(), p.douyin_event_sign(app_key, body, secret)):
        raise BadSignature()
    try:
        messages = jsonbody.loads(body)
        read = [p.normalize_douyin(jsonbody.loads(m["data"])) for m in messages]
    except (ValueError, TypeError, KeyError, AttributeError):
        read = [None]
    orders = [o for o in read if o is not None]
    if not orders or len(orders) < len(read):
        raise ValidationFailed({"body": _("The message carries no readable order.")})
    with transaction.atomic():
        ingest = Ingest(account, source="push")
        return [ingest.apply(o) for o in orders]


def _consteq(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())
