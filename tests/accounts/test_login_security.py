"""Lockout after repeated failed logins, token revocation, and the Content-Security-Policy."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD
from zhongshu.accounts.models import ApiToken

WRONG = "not-the-password"


def _token(client, username, password):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def _web_login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_api_sixth_wrong_password_locks_the_account_even_for_the_right_one(sales_east):
    client = Client(headers={"accept-language": "en"})

    statuses = [_token(client, "sales_east", WRONG).status_code for _ in range(6)]
    response = _token(client, "sales_east", PASSWORD)

    # five wrong passwords are answered as such; the sixth reaches the limit and locks
    assert statuses == [401, 401, 401, 401, 401, 429]
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "account_locked"
    assert body["details"] == {}
    assert "locked for 15 minutes" in body["message"]
    assert ApiToken.objects.filter(user=sales_east).count() == 0


def test_api_lockout_message_is_chinese_by_default(sales_east):
    client = Client()
    for _ in range(6):
        _token(client, "sales_east", WRONG)

    response = _token(client, "sales_east", PASSWORD)

    assert response.status_code == 429
    assert response.json()["message"] == (
        "登录失败次数过多，此账号已被锁定 15 分钟。请稍后再试，或联系管理员解锁。"
    )


def test_web_sixth_wrong_password_locks_the_account_even_for_the_right_one(sales_east):
    client = Client(headers={"accept-language": "en"})
    for _ in range(5):
        response = _web_login(client, "sales_east", WRONG)
        assert response.status_code == 200
        assert "locked" not in response.content.decode()
    assert _web_login(client, "sales_east", WRONG).status_code == 429

    response = _web_login(client, "sales_east", PASSWORD)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins: this account is locked for 15 minutes." in html
    assert 'class="errors"' in html
    assert not _logged_in(client)


def test_web_lockout_message_is_chinese_by_default(sales_east):
    client = Client()
    for _ in range(6):
        _web_login(client, "sales_east", WRONG)

    html = _web_login(client, "sales_east", PASSWORD).content.decode()

    assert "此账号已被锁定 15 分钟" in html
    assert not _logged_in(client)


def test_web_and_api_failures_count_together(sales_east):
    client = Client()
    for _ in range(3):
        _web_login(client, "sales_east", WRONG)
    for _ in range(3):
        _token(client, "sales_east", WRONG)

    assert _token(client, "sales_east", PASSWORD).status_code == 429
    assert _web_login(client, "sales_east", PASSWORD).status_code == 429


def test_lock_is_per_username_not_per_address(sales_east, sales_north):
    # both people come from the same address (the test client's 127.0.0.1), like a factory's NAT
    client = Client()
    for _ in range(6):
        _token(client, "sales_east", WRONG)

    assert _token(client, "sales_north", PASSWORD).status_code == 200
    assert _web_login(Client(), "sales_north", PASSWORD).status_code == 302
    assert _token(client, "sales_east", PASSWORD).status_code == 429


def test_a_success_resets_the_count(sales_east):
    client = Client()
    for _ in range(5):
        _token(client, "sales_east", WRONG)
    assert _token(client, "sales_east", PASSWORD).status_code == 200

    statuses = [_token(client, "sales_east", WRONG).status_code for _ in range(5)]

    assert statuses == [401, 401, 401, 401, 401]
    assert _token(client, "sales_east", PASSWORD).status_code == 200


def _shift_attempts(minutes: int) -> None:
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=minutes))


def test_lock_ends_after_the_cool_off(sales_east):
    client = Client()
    for _ in range(6):
        _token(client, "sales_east", WRONG)

    _shift_attempts(14)
    assert _token(client, "sales_east", PASSWORD).status_code == 429

    _shift_attempts(16)
    assert _token(client, "sales_east", PASSWORD).status_code == 200
    assert _web_login(Client(), "sales_east", PASSWORD).status_code == 302


def test_an_administrator_can_unlock(sales_east):
    client = Client()
    for _ in range(6):
        _token(client, "sales_east", WRONG)

    assert reset(username="sales_east") == 1

    assert _token(client, "sales_east", PASSWORD).status_code == 200


def test_deactivated_users_token_stops_working_at_once(sales_east):
    client = Client()
    raw = _token(client, "sales_east", PASSWORD).json()["token"]
    bearer = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200

    sales_east.is_active = False
    sales_east.save(update_fields=["is_active"])
    response = client.get("/api/v1/me", headers=bearer)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize(
    "change",
    [
        {"expires_at": timezone.now() - timedelta(seconds=1)},
        {"revoked_at": timezone.now()},
    ],
    ids=["expired", "revoked"],
)
def test_expired_or_revoked_token_is_refused(sales_east, change):
    client = Client()
    raw = _token(client, "sales_east", PASSWORD).json()["token"]
    bearer = {"Authorization": f"Bearer {raw}"}

    ApiToken.objects.filter(user=sales_east).update(**change)
    response = client.get("/api/v1/me", headers=bearer)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def _csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        d.strip().split(" ", 1)[0]: d.strip().split(" ", 1)[1]
        for d in header.split(";")
        if d.strip()
    }


def test_pages_carry_a_csp_without_inline_scripts(sales_east):
    logged_in = Client()
    logged_in.force_login(sales_east)
    for response in (Client().get("/login/"), logged_in.get("/orders/")):
        assert response.status_code == 200
        directives = _csp_directives(response)
        assert directives["script-src"] == "'self'"
        assert directives["default-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["img-src"] == "'self' data:"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["form-action"] == "'self'"
        assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_api_docs_are_served_without_a_cdn(db):
    client = Client()

    docs = client.get("/api/v1/docs")
    schema = client.get("/api/v1/openapi.json")

    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
    assert schema.status_code == 200
    assert "/api/v1/auth/token" in schema.json()["paths"]


def test_from_the_third_failure_in_a_row_the_answer_waits(sales_east, settings, monkeypatch):
    # given the shipped delay, and a clock that records the waits instead of waiting
    settings.LOGIN_FAILURE_DELAY = 0.5
    waits = []
    monkeypatch.setattr("time.sleep", waits.append)
    client = Client()

    # when four wrong passwords come in a row
    counts = []
    for _ in range(4):
        _token(client, "sales_east", WRONG)
        counts.append(len(waits))

    # then the first two failures are answered at once, and from the third each waits
    assert counts == [0, 0, 1, 2]
    assert waits == [0.5, 0.5]


def test_a_stranger_cannot_lock_the_admin_out_from_another_address(sales_east):
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(6):
        _token(stranger, "sales_east", WRONG)
    assert _token(stranger, "sales_east", PASSWORD).status_code == 429  # the stranger is locked
    # the owner at their own desk is not
    assert _token(Client(REMOTE_ADDR="10.0.0.5"), "sales_east", PASSWORD).status_code == 200
