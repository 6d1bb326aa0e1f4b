"""The in-app inbox: scoped to its owner, unread badge, mark read, bounded queries."""

import pytest
from django.test import Client

from tests.factories import make_user
from zhongshu.notify.models import Delivery, Message
from zhongshu.notify.selectors import unread_count
from zhongshu.notify.services import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_users(db):
    return make_user("sales", username="alice"), make_user("planner", username="bob")


def test_unread_badge_counts_only_my_unread_inapp_messages(two_users, django_assert_num_queries):
    alice, bob = two_users
    notify(recipients=[alice], subject="一")
    notify(recipients=[alice, bob], subject="二")
    with django_assert_num_queries(1):
        assert unread_count(alice) == 2
    client = Client()
    client.force_login(alice)
    page = client.get("/notifications/")
    assert page.status_code == 200 and page.context["badges"]["inbox"] == 2
    assert "一" in page.content.decode() and "二" in page.content.decode()


def test_marking_read_works_only_on_my_own_messages(two_users, api_as):
    alice, bob = two_users
    mine = notify(recipients=[alice], subject="mine")[0]
    theirs = notify(recipients=[bob], subject="theirs")[0]
    api = api_as(alice)
    # another user's message looks exactly like a missing one
    assert api.get(f"/api/v1/notifications/inbox/{theirs.pk}").status_code == 404
    assert api.post(f"/api/v1/notifications/inbox/{theirs.pk}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    r = api.post(f"/api/v1/notifications/inbox/{mine.pk}/read")
    assert r.status_code == 200 and r.json()["read_at"]
    assert api.get("/api/v1/notifications/inbox/unread-count").json() == {"unread": 0}


@pytest.mark.parametrize("n", [5, 50])
def test_inbox_api_and_page_queries_do_not_grow_with_rows(
    two_users, api_as, n, django_assert_max_num_queries
):
    alice, _bob = two_users
    for i in range(n):
        notify(recipients=[alice], subject=f"m{i}")
    api = api_as(alice)
    with django_assert_max_num_queries(8):
        r = api.get("/api/v1/notifications/inbox?limit=200")
    assert len(r.json()["items"]) == n and r.json()["unread"] == n
    client = Client()
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        assert client.get("/notifications/").status_code == 200


@pytest.mark.parametrize("n", [4, 40])
def test_delivery_log_queries_do_not_grow_with_rows(
    admin_user, api_as, n, django_assert_max_num_queries
):
    from django.utils import timezone

    from zhongshu.notify.models import Robot

    robot = Robot.objects.create(kind="wecom", name="r", webhook_url="http://127.0.0.1:9/x")
    for i in range(n):
        m = notify(channels=("wecom",), subject=f"m{i}")[0]
        Delivery.objects.create(
            message=m,
            robot=robot,
            channel="wecom",
            attempt=1,
            started_at=timezone.now(),
            error="refused",
        )
    api = api_as(admin_user)
    with django_assert_max_num_queries(8):
        r = api.get("/api/v1/notifications/deliveries?limit=200")
    assert len(r.json()["items"]) == n
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/notifications/outbox?limit=200").json()["items"]) == n
    client = Client()
    client.force_login(admin_user)
    with django_assert_max_num_queries(14):
        page = client.get("/notifications/deliveries/?status=pending")
    assert page.status_code == 200 and "m0" in page.content.decode()
    assert Message.objects.count() == n
