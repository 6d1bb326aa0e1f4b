"""The Feishu card's 同意/驳回 buttons decide through the signed callback. Unsigned, wrongly
signed, stale, wrong-token or replayed callbacks are refused and change nothing."""

import json

import pytest
from django.test import Client

from tests.notify.conftest import APP_PEOPLE, pending_request
from zhongshu.approvals.models import Decision
from zhongshu.notify.app_simulators import sign_card_click

pytestmark = pytest.mark.django_db
URL = "/notifications/feishu/card/"
TOKEN, KEY = "fs-verify", "fs-encrypt-key"


@pytest.fixture
def request_for_zhang(chat_apps, zhang):
    return pending_request(zhang)


def _value(req, verdict="approve", **extra):
    return {"handler": "approvals.decide", "request": req.pk, "verdict": verdict, **extra}


def _post(body: bytes, headers: dict):
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"
    }
    return Client().post(URL, data=body, content_type="application/json", **extra)


def test_signed_click_approves(request_for_zhang):
    req = request_for_zhang
    body, headers = sign_card_click(
        user_id=APP_PEOPLE["feishu"], value=_value(req), token=TOKEN, key=KEY
    )
    r = _post(body, headers)
    assert r.status_code == 200
    assert r.json()["toast"] == {"type": "success", "content": "已同意"}
    req.refresh_from_db()
    assert req.status == "approved"
    assert Decision.objects.get(request=req).user.username == "zhang"


def test_reject_without_reason_asks_for_one(request_for_zhang):
    req = request_for_zhang
    body, headers = sign_card_click(
        user_id=APP_PEOPLE["feishu"], value=_value(req, "reject"), token=TOKEN, key=KEY
    )
    toast = _post(body, headers).json()["toast"]
    assert toast["type"] == "error"
    req.refresh_from_db()
    assert req.status == "pending" and not Decision.objects.exists()


def _nothing_changed(req):
    req.refresh_from_db()
    assert req.status == "pending"
    assert not Decision.objects.exists()


def test_unsigned_click_is_refused(request_for_zhang):
    req = request_for_zhang
    body, _headers = sign_card_click(
        user_id=APP_PEOPLE["feishu"], value=_value(req), token=TOKEN, key=KEY
    )
    assert _post(body, {}).status_code == 401
    _nothing_changed(req)


def test_wrong_key_or_tampered_body_is_refused(request_for_zhang):
    req = request_for_zhang
    body, headers = sign_card_click(
        user_id=APP_PEOPLE["feishu"], value=_value(req), token=TOKEN, key="not-the-key"
    )
    assert _post(body, headers).status_code == 401
    body, headers = sign_card_click(user_id="someone_else", value=_value(req), token=TOKEN, key=KEY)
    forged = body.replace(b"someone_else", APP_PEOPLE["feishu"].encode())
    assert _post(forged, headers).status_code == 401
    _nothing_changed(req)


def test_wrong_verification_token_is_refused(request_for_zhang):
    req = request_for_zhang
    body, headers = sign_card_click(
        user_id=APP_PEOPLE["feishu"], value=_value(req), token="other-app", key=KEY
    )
    assert _post(body, headers).status_code == 401
    _nothing_changed(req)


def test_stale_click_is_refused(request_for_zhang):
    import time

    req = request_for_zhang
    body, headers = sign_card_click(
        user_id=APP_PEOPLE["feishu"], value=_value(req), token=TOKEN, key=KEY,
        at=time.time() - 3600,
    )  # fmt: skip
    assert _post(body, headers).status_code == 401
    _nothing_changed(req)


def test_replayed_click_is_refused(request_for_zhang, zhang):
    req = request_for_zhang
    # a reject with a reason, replayed: the second copy must not be another decision
    body, headers = sign_card_click(
        user_id=APP_PEOPLE["feishu"], value=_value(req, "reject", comment="图纸不全"),
        token=TOKEN, key=KEY,
    )  # fmt: skip
    assert _post(body, headers).json()["toast"]["type"] == "success"
    replay = _post(body, headers)
    assert replay.status_code == 409
    assert Decision.objects.filter(request=req).count() == 1


def test_unknown_clicker_decides_nothing(request_for_zhang):
    req = request_for_zhang
    body, headers = sign_card_click(user_id="fs_stranger", value=_value(req), token=TOKEN, key=KEY)
    assert _post(body, headers).json()["toast"]["type"] == "error"
    _nothing_changed(req)


def test_url_verification_answers_the_challenge(chat_apps):
    body = json.dumps({"type": "url_verification", "challenge": "abc", "token": TOKEN}).encode()
    import hashlib

    headers = {
        "X-Lark-Request-Timestamp": str(int(__import__("time").time())),
        "X-Lark-Request-Nonce": "n1",
    }
    headers["X-Lark-Signature"] = hashlib.sha256(
        (headers["X-Lark-Request-Timestamp"] + "n1" + KEY).encode() + body
    ).hexdigest()
    assert _post(body, headers).json() == {"challenge": "abc"}
