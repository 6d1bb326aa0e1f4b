"""The notification permission matrix: every role × every endpoint and page of the inbox, the
delivery log, robots and contacts, with the exact status. Everyone reads and marks only their own
inbox (another user's message id is a 404, like a missing one); the delivery log, robots and other
people's contacts are for admins only. A refused request changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import make_user
from tests.support.fingerprint import Fingerprint, columns
from tests.support.matrix import MatrixRunner, World, add_role_users, expand, module_world
from zhongshu.accounts.models import Profile
from zhongshu.notify.models import Delivery, Message, Robot, Status
from zhongshu.notify.services import notify

ADMIN_ONLY = "200 403 403 403 403 403 403 403 403 403"
EVERYONE = "200 200 200 200 200 200 200 200 200 200"


def _build() -> World:
    w = add_role_users(World(), "n_", days=1, sales_regions=())
    w.own = {role: notify(recipients=[u], subject=f"给{role}")[0].pk for role, u in w.users.items()}
    victim = make_user("finance", username="n_victim")
    w.ids["OTHER"] = notify(recipients=[victim], subject="别人的")[0].pk
    w.ids["VICTIM"] = victim.pk
    robot = Robot.objects.create(kind="wecom", name="矩阵", webhook_url="http://127.0.0.1:9/x")
    w.ids["ROBOT"] = robot.pk
    dead = notify(channels=("wecom",), subject="dead")[0]
    Message.objects.filter(pk=dead.pk).update(status=Status.DEAD, attempts=8)
    w.ids["DEAD"] = dead.pk
    return w


world = module_world(_build)
fingerprint = Fingerprint(
    columns(get_user_model(), "pk", "email", "is_active"),
    columns(Profile, "user_id", "mobile", "wecom_userid"),
    Message,
    Robot,
    Delivery,
)


A = "/api/v1/notifications"
API = [
    ("inbox", "get", f"{A}/inbox", None, EVERYONE),
    ("unread", "get", f"{A}/inbox/unread-count", None, EVERYONE),
    ("inbox.own", "get", f"{A}/inbox/{{OWN}}", None, EVERYONE),
    ("inbox.other", "get", f"{A}/inbox/{{OTHER}}", None, "404 " * 9 + "404"),
    ("read.own", "post", f"{A}/inbox/{{OWN}}/read", {}, EVERYONE),
    ("read.other", "post", f"{A}/inbox/{{OTHER}}/read", {}, "404 " * 9 + "404"),
    ("read.all", "post", f"{A}/inbox/read-all", {}, EVERYONE),
    ("contact.get", "get", f"{A}/contact", None, EVERYONE),
    ("contact.put", "put", f"{A}/contact", {"mobile": "13900000000"}, EVERYONE),
    ("contacts.put", "put", f"{A}/contacts/{{VICTIM}}", {"mobile": "13900000001"}, ADMIN_ONLY),
    ("outbox", "get", f"{A}/outbox", None, ADMIN_ONLY),
    ("outbox.one", "get", f"{A}/outbox/{{DEAD}}", None, ADMIN_ONLY),
    ("retry", "post", f"{A}/outbox/{{DEAD}}/retry", {}, ADMIN_ONLY),
    ("deliveries", "get", f"{A}/deliveries", None, ADMIN_ONLY),
    ("robots", "get", f"{A}/robots", None, ADMIN_ONLY),
    (
        "robots.create",
        "post",
        f"{A}/robots",
        {"kind": "feishu", "name": "新", "webhook_url": "http://127.0.0.1:9/h"},
        "201 403 403 403 403 403 403 403 403 403",
    ),
    ("robots.patch", "patch", f"{A}/robots/{{ROBOT}}", {"enabled": False}, ADMIN_ONLY),
    (
        "robots.delete",
        "delete",
        f"{A}/robots/{{ROBOT}}",
        None,
        "204 403 403 403 403 403 403 403 403 403",
    ),
]
WEB = [
    ("inbox", "get", "/notifications/", EVERYONE),
    ("inbox.unread", "get", "/notifications/?unread=1", EVERYONE),
    ("contact", "get", "/notifications/contact/", EVERYONE),
    ("contacts", "get", "/notifications/contacts/", ADMIN_ONLY),
    ("contact.other", "get", "/notifications/contacts/{VICTIM}/", ADMIN_ONLY),
    ("deliveries", "get", "/notifications/deliveries/", ADMIN_ONLY),
    ("deliveries.filtered", "get", "/notifications/deliveries/?status=dead&robot=x", ADMIN_ONLY),
    ("robots", "get", "/notifications/robots/", ADMIN_ONLY),
    ("read.own", "post", "/notifications/{OWN}/read/", "302 " * 9 + "302"),
    ("read.other", "post", "/notifications/{OTHER}/read/", "404 " * 9 + "404"),
    (
        "robot.toggle",
        "post",
        "/notifications/robots/{ROBOT}/toggle/",
        "302 403 403 403 403 403 403 403 403 403",
    ),
    (
        "retry",
        "post",
        "/notifications/deliveries/{DEAD}/retry/",
        "302 403 403 403 403 403 403 403 403 403",
    ),
]


def _url(world, path, role):
    return path.format(OWN=world.own[role], **world.ids)


run = MatrixRunner(fingerprint, url=_url)


@pytest.mark.parametrize("case,method,path,body,role,expected", expand(API, 4))
def test_api(world, db, case, method, path, body, role, expected):
    # given a user holding exactly one role, with one message of their own in the inbox
    # when they call the endpoint
    outcome = run.api(world, role, method, path, body)
    # then the status is exactly the expected one and a refusal (or a read) changed nothing
    outcome.expect(expected, method, writes=False)


@pytest.mark.parametrize("case,method,path,role,expected", expand(WEB, 3))
def test_web(world, db, case, method, path, role, expected):
    outcome = run.page(world, role, path, method)
    assert outcome.response.status_code == expected
    if expected >= 400 or method == "get":
        assert outcome.after == outcome.before


def test_anonymous_is_refused(world, db):
    assert Client().get(f"{A}/inbox").status_code == 401
    assert Client().get("/notifications/").status_code == 302
