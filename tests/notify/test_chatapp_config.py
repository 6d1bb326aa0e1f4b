"""Configuring a chat app: secrets stored encrypted and never read back, unknown fields refused,
only admins; the startup check and the setup checklist's selectors."""

import pytest

from tests.factories import make_user
from zhongshu.notify import checks, selectors
from zhongshu.notify.chatapps import unseal
from zhongshu.notify.models import ChatApp, Robot

pytestmark = pytest.mark.django_db
A = "/api/v1/notifications"


def _put(api, path, data):
    return api._call("put", path, data)


def test_admin_configures_an_app_and_the_secret_is_never_shown(api_as):
    api = api_as(make_user("admin"))
    r = _put(
        api,
        f"{A}/apps/wecom",
        {"name": "中枢", "client_id": "ww123", "agent_id": "1000002", "secret": "s3cr3t"},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["has_secret"] is True and "s3cr3t" not in r.content.decode()
    app = ChatApp.objects.get(kind="wecom")
    assert app.secret_encrypted.startswith("v1:") and unseal(app.secret_encrypted) == "s3cr3t"
    listed = api.get(f"{A}/apps").content.decode()
    assert "s3cr3t" not in listed and app.secret_encrypted not in listed
    # a change without the secret keeps it
    r = _put(api, f"{A}/apps/wecom", {"agent_id": "1000003"})
    assert r.status_code == 200
    assert unseal(ChatApp.objects.get(kind="wecom").secret_encrypted) == "s3cr3t"


def test_bad_input_is_refused_and_nothing_stored(api_as):
    api = api_as(make_user("admin"))
    r = _put(api, f"{A}/apps/wecom", {"name": "x", "client_id": "c"})
    assert r.status_code == 422  # a new app needs its secret
    r = _put(api, f"{A}/apps/qq", {"name": "x", "client_id": "c", "secret": "s"})
    assert r.status_code == 422
    r = _put(
        api, f"{A}/apps/wecom", {"name": "x", "client_id": "c", "secret": "s", "agent_id": "a1"}
    )
    assert r.status_code == 422
    r = _put(api, f"{A}/apps/wecom", {"nmae": "x"})
    assert r.status_code == 422
    assert not ChatApp.objects.exists()


def test_only_admins_configure_apps(api_as):
    r = _put(
        api_as(make_user("sales")),
        f"{A}/apps/feishu",
        {"name": "x", "client_id": "c", "secret": "s"},
    )
    assert r.status_code == 403
    assert not ChatApp.objects.exists()


def test_startup_warning_when_links_cannot_be_absolute(settings):
    settings.PUBLIC_BASE_URL = ""
    settings.NOTIFY_BASE_URL = ""
    assert checks.public_base_url() == [] and not selectors.public_base_url_missing()
    Robot.objects.create(kind="wecom", name="群", webhook_url="http://127.0.0.1:9/x")
    [warning] = checks.public_base_url()
    assert warning.id == "zhongshu.notify.W001" and selectors.public_base_url_missing()
    settings.PUBLIC_BASE_URL = "https://zs.example.com"
    assert checks.public_base_url() == [] and not selectors.public_base_url_missing()
