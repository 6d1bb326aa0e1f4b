"""Contact details: one place per fact. Mobile and WeCom user id live on ``accounts.Profile``,
email on the user; ``accounts.services.contact_update`` writes them (self, or users.manage /
notifications.contacts for anyone) and robot messages mention whatever is stored there now."""

import pytest
from django.test import Client

from tests.factories import make_user
from zhongshu.accounts.models import Profile
from zhongshu.accounts.services import contact_update, user_update
from zhongshu.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhongshu.notify.models import Message
from zhongshu.notify.services import notify

pytestmark = pytest.mark.django_db

A = "/api/v1/notifications"


def _put(api, path, data):
    return api.client.put(path, data, content_type="application/json", headers=api.headers)


def _stored(user) -> tuple:
    user.refresh_from_db()
    p = Profile.objects.get(user=user)
    return p.mobile, p.wecom_userid, user.email


def test_a_user_edits_their_own_contact_on_profile_and_user(api_as):
    # given a sales user without contact details
    me = make_user("sales", username="li.si")
    api = api_as(me)
    # when they save a mobile with spaces, a WeCom id and an email through the API
    r = _put(
        api,
        f"{A}/contact",
        {"mobile": "138 0000 1234", "wecom_userid": "li.si", "email": "li@example.com"},
    )
    # then the profile and the user hold them, and reading them back shows the same
    assert r.status_code == 200, r.content
    assert _stored(me) == ("13800001234", "li.si", "li@example.com")
    assert api.get(f"{A}/contact").json() == {
        "user_id": me.pk,
        "username": "li.si",
        "mobile": "13800001234",
        "wecom_userid": "li.si",
        "dingtalk_userid": "",
        "dingtalk_unionid": "",
        "feishu_user_id": "",
        "email": "li@example.com",
    }
    # and the audit trail names them as the author of the profile change
    assert Profile.history.filter(user_id=me.pk).first().history_user_id == me.pk


def test_fields_left_out_stay_and_an_empty_string_clears(api_as):
    me = make_user("planner")
    contact_update(actor=me, user_id=me.pk, mobile="13900000000", email="p@example.com")
    api = api_as(me)
    # when only the WeCom id is sent, then only it changes
    assert _put(api, f"{A}/contact", {"wecom_userid": "p1"}).status_code == 200
    assert _stored(me) == ("13900000000", "p1", "p@example.com")
    # when the mobile is sent empty, then it is cleared
    assert _put(api, f"{A}/contact", {"mobile": ""}).status_code == 200
    assert _stored(me) == ("", "p1", "p@example.com")


@pytest.mark.parametrize("mobile", ["13800001234", "+8613800001234", "+44 20 7946 0958"])
def test_mainland_and_international_mobiles_are_accepted(mobile):
    me = make_user("sales")
    contact_update(actor=me, user_id=me.pk, mobile=mobile)
    assert _stored(me)[0] == mobile.replace(" ", "")


def test_every_bad_field_is_reported_at_once_and_nothing_changes(api_as):
    me = make_user("sales")
    contact_update(actor=me, user_id=me.pk, mobile="13800001234", email="ok@example.com")
    # when mobile, WeCom id and email are all invalid
    r = _put(
        api_as(me),
        f"{A}/contact",
        {"mobile": "12345", "wecom_userid": "x" * 65, "email": "not-an-address"},
    )
    # then a 422 names all three, and the stored details are untouched
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["details"]["errors"]} == {
        "mobile",
        "wecom_userid",
        "email",
    }
    assert _stored(me) == ("13800001234", "", "ok@example.com")


@pytest.mark.parametrize(
    "mobile,wecom",
    [("1380000123", "ok"), ("23800001234", "ok"), ("+0123456789", "ok"), ("", "有空格 的")],
)
def test_malformed_values_are_refused(mobile, wecom):
    me = make_user("sales")
    with pytest.raises(ValidationFailed):
        contact_update(actor=me, user_id=me.pk, mobile=mobile, wecom_userid=wecom)


def test_only_admins_edit_other_peoples_contacts(admin_user):
    sales = make_user("sales", username="s1")
    victim = make_user("planner", username="v1")
    contact_update(actor=victim, user_id=victim.pk, mobile="13700000000")
    # a non-admin is refused and nothing changes
    with pytest.raises(PermissionDenied):
        contact_update(actor=sales, user_id=victim.pk, mobile="13800000000")
    assert _stored(victim)[0] == "13700000000"
    # an admin (users.manage, notifications.contacts) may, and is recorded as the author
    contact_update(actor=admin_user, user_id=victim.pk, mobile="13800000000")
    assert _stored(victim)[0] == "13800000000"
    assert Profile.history.filter(user_id=victim.pk).first().history_user_id == admin_user.pk
    # an unknown user is a 404 for the admin
    with pytest.raises(NotFound):
        contact_update(actor=admin_user, user_id=999999, mobile="13800000000")


def test_robot_mentions_follow_the_profile_whoever_edited_it(db):
    from zhongshu.notify.models import Robot

    # given a WeCom robot and a supervisor whose mobile an admin set on the user admin page
    Robot.objects.create(kind="dingtalk", name="群", webhook_url="http://127.0.0.1:9/x")
    admin = make_user("admin")
    sup = make_user("supervisor", username="zhao")
    user_update(
        actor=admin, user_id=sup.pk, display_name="赵", roles=["supervisor"], mobile="13600000000"
    )
    first = notify(roles=["supervisor"], channels=("dingtalk",), subject="一")[0]
    # when the supervisor changes it themselves on the contact page
    client = Client()
    client.force_login(sup)
    r = client.post(
        "/notifications/contact/", {"mobile": "13611112222", "wecom_userid": "", "email": ""}
    )
    assert r.status_code == 302
    second = notify(roles=["supervisor"], channels=("dingtalk",), subject="二")[0]
    # then each message mentions the mobile stored at the time, read from the one profile
    assert first.payload["at"]["atMobiles"] == ["13600000000"]
    assert second.payload["at"]["atMobiles"] == ["13611112222"]
    assert "@13611112222" in Message.objects.get(pk=second.pk).payload["text"]["content"]


def test_the_contact_page_shows_form_errors_with_422():
    me = make_user("sales")
    client = Client()
    client.force_login(me)
    r = client.post("/notifications/contact/", {"mobile": "abc", "wecom_userid": "", "email": ""})
    assert r.status_code == 422
    assert Profile.objects.get(user=me).mobile == ""


@pytest.mark.parametrize("n", [5, 50])
def test_admin_contact_list_queries_do_not_grow_with_users(
    admin_user, n, django_assert_max_num_queries
):
    for i in range(n):
        u = make_user("sales", username=f"c{i:03d}")
        contact_update(actor=u, user_id=u.pk, mobile=f"1390000{i:04d}")
    client = Client()
    client.force_login(admin_user)
    with django_assert_max_num_queries(10):
        page = client.get("/notifications/contacts/")
    assert page.status_code == 200
    assert "13900000000" in page.content.decode() and f"1390000{n - 1:04d}" in page.content.decode()
