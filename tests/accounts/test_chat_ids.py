"""The chat apps' ids on the profile: edited on the user page and through the contact API,
checked, and kept when a form leaves them out."""

import pytest
from django.test import Client

from tests.factories import make_user
from zhongshu.accounts.models import Profile
from zhongshu.accounts.services import user_update

pytestmark = pytest.mark.django_db
A = "/api/v1/notifications"


def test_admin_sets_chat_ids_on_the_user_page():
    admin = make_user("admin")
    target = make_user("manager", username="wang")
    client = Client()
    client.force_login(admin)
    r = client.post(
        f"/users/{target.pk}/",
        {"display_name": "王总", "roles": ["manager"], "wecom_userid": "wang.zong",
         "dingtalk_userid": "ding123", "dingtalk_unionid": "uNi0n-1", "feishu_user_id": "fs_wang"},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:500]
    p = Profile.objects.get(user=target)
    assert (p.wecom_userid, p.dingtalk_userid, p.dingtalk_unionid, p.feishu_user_id) == (
        "wang.zong", "ding123", "uNi0n-1", "fs_wang",
    )  # fmt: skip
    page = client.get(f"/users/{target.pk}/").content.decode()
    assert "fs_wang" in page and "钉钉 unionId" in page


def test_user_update_without_chat_ids_keeps_them():
    admin = make_user("admin")
    target = make_user("manager")
    Profile.objects.filter(user=target).update(feishu_user_id="fs_keep")
    user_update(actor=admin, user_id=target.pk, display_name="x", roles=["manager"])
    assert Profile.objects.get(user=target).feishu_user_id == "fs_keep"


def test_contact_api_checks_and_saves_chat_ids(api_as):
    me = make_user("sales")
    api = api_as(me)
    r = api._call("put", f"{A}/contact", {"feishu_user_id": "飞书 id", "dingtalk_userid": "x" * 65})
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["details"]["errors"]}
    assert fields == {"feishu_user_id", "dingtalk_userid"}
    assert Profile.objects.get(user=me).feishu_user_id == ""
    r = api._call("put", f"{A}/contact", {"feishu_user_id": "fs_me", "dingtalk_unionid": "u-1"})
    assert r.status_code == 200
    assert r.json()["feishu_user_id"] == "fs_me" and r.json()["dingtalk_unionid"] == "u-1"
