"""The checklist's robots-and-apps and users steps, as notify declares them: the apps count with
the robots, the step is not done while messages could not carry absolute links (public base URL
missing), and the users step counts who no enabled chat app reaches — WeCom, DingTalk and Feishu
alike."""

import pytest

from tests.factories import make_user
from zhongshu.accounts.services import contact_update
from zhongshu.notify.models import Robot
from zhongshu.notify.services import chat_app_save

pytestmark = pytest.mark.django_db
MISSING = "缺少公网访问地址"


@pytest.fixture
def admin(settings):
    settings.PUBLIC_BASE_URL = ""
    settings.NOTIFY_BASE_URL = ""
    return make_user("admin", username="golive_admin")


def _steps(api) -> dict:
    return {s["key"]: s for s in api.get("/api/v1/setup").json()["steps"]}


def _person(username: str, **ids):
    user = make_user("sales", username=username)
    return contact_update(actor=user, user_id=user.pk, **ids)


def _app(admin, kind: str, *, enabled: bool = True):
    return chat_app_save(actor=admin, kind=kind, name=f"{kind} 中枢", client_id=f"{kind}-corp",
                         agent_id="1000002", secret="s", enabled=enabled)  # fmt: skip


def test_nothing_configured_is_not_done_and_asks_for_no_address(api_as, admin):
    steps = _steps(api_as(admin))
    assert (steps["robots"]["count"], steps["robots"]["done"]) == (0, False)
    assert steps["robots"]["detail"] == ""
    assert steps["users"]["detail"] == ""  # no chat app: nobody to reach through one
    assert steps["robots"]["url"] == "/notifications/robots/"


def test_apps_count_and_the_missing_address_keeps_the_step_open(api_as, settings, admin):
    _app(admin, "wecom")
    _app(admin, "feishu")
    _app(admin, "dingtalk", enabled=False)
    api = api_as(admin)
    robots = _steps(api)["robots"]
    assert (robots["count"], robots["done"]) == (2, False)
    assert MISSING in robots["detail"]
    settings.PUBLIC_BASE_URL = "https://zs.example.com"
    robots = _steps(api)["robots"]
    assert (robots["count"], robots["done"], robots["detail"]) == (2, True, "")


def test_a_robot_alone_also_needs_the_address(api_as, settings, admin):
    Robot.objects.create(kind="wecom", name="生产群", webhook_url="http://127.0.0.1:9/hook")
    api = api_as(admin)
    assert MISSING in _steps(api)["robots"]["detail"]
    Robot.objects.update(enabled=False)
    robots = _steps(api)["robots"]
    assert (robots["count"], robots["done"], robots["detail"]) == (0, False, "")


def test_users_step_counts_who_no_enabled_app_reaches(api_as, admin):
    _app(admin, "wecom")
    _app(admin, "feishu")
    _app(admin, "dingtalk", enabled=False)
    _person("by.wecom", wecom_userid="by.wecom")
    _person("by.feishu", feishu_user_id="fs_1")
    _person("by.dingtalk", dingtalk_userid="ding-1")  # DingTalk's app is switched off
    _person("by.mobile", mobile="13800000009")  # a mobile alone is no app id
    api = api_as(admin)
    users = _steps(api)["users"]
    # the administrator, the DingTalk-only and the mobile-only person
    assert (
        users["detail"] == "有 3 个在用用户在已启用的聊天应用中都没有账号，他们的消息只能进站内信。"
    )
    assert (users["count"], users["done"]) == (5, True)
    _app(admin, "dingtalk", enabled=True)
    assert _steps(api)["users"]["detail"].startswith("有 2 个在用用户")
