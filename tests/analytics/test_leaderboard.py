"""The weekly activity leaderboard, the daily-active ratio and the weekly message, from the
activity counters (written directly: the counters have their own tests)."""

import datetime as dt

import pytest

from tests.conftest import ApiClient
from tests.factories import make_user
from zhongshu.analytics import leaderboard
from zhongshu.analytics.activity import record
from zhongshu.analytics.services import settings_update
from zhongshu.core.errors import PermissionDenied
from zhongshu.notify.models import Message

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 16)


@pytest.fixture
def people(db):
    boss = make_user("manager", username="boss")
    li = make_user("sales", username="li")
    wang = make_user("planner", username="wang")
    idle = make_user("warehouse", username="idle")
    gone = make_user("qc", username="gone")
    # li: 3 days, 9 actions; wang: 2 days, 9 actions; gone: disabled after acting
    for day, n in [(0, 4), (1, 3), (4, 2)]:
        record(li, "order.created", n=n, day=MONDAY + dt.timedelta(days=day))
    record(li, "order.submit", n=0, day=MONDAY)  # nothing
    record(wang, "order.confirm", n=5, day=MONDAY)
    record(wang, "task.started", n=4, day=MONDAY + dt.timedelta(days=1))
    record(wang, "order.confirm", n=7, day=MONDAY - dt.timedelta(days=1))  # the week before
    record(gone, "qc.inspected", n=1, day=MONDAY)
    gone.is_active = False
    gone.save()
    return {"boss": boss, "li": li, "wang": wang, "idle": idle}


def test_actions_and_days_per_user_in_the_week(people):
    board = leaderboard.weekly(actor=people["boss"], day=MONDAY + dt.timedelta(days=3))
    assert board["week_start"] == MONDAY and board["week_end"] == MONDAY + dt.timedelta(days=6)
    rows = [(u["rank"], u["username"], u["actions"], u["days_active"]) for u in board["users"]]
    # equal actions: more days active ranks first
    assert rows == [(1, "li", 9, 3), (2, "wang", 9, 2), (3, "gone", 1, 1)]


def test_daily_active_ratio_among_enabled_users(people):
    data = leaderboard.daily_active(
        actor=people["boss"], start=MONDAY, end=MONDAY + dt.timedelta(days=6)
    )
    assert data["enabled_users"] == 4  # boss, li, wang, idle
    by_day = {d["day"]: (d["active_users"], d["ratio"]) for d in data["days"]}
    assert by_day[MONDAY] == (2, 50.0)  # li and wang; gone is disabled
    assert by_day[MONDAY + dt.timedelta(days=1)] == (2, 50.0)
    assert by_day[MONDAY + dt.timedelta(days=4)] == (1, 25.0)
    assert by_day[MONDAY + dt.timedelta(days=2)] == (0, 0.0)
    assert data["workday_average_ratio"] == 25.0  # (50 + 50 + 0 + 0 + 25) / 5


def test_only_admin_and_manager_see_it(people):
    with pytest.raises(PermissionDenied):
        leaderboard.weekly(actor=people["li"])


def test_weekly_message_to_the_chosen_group_once(people):
    assert leaderboard.weekly_message(today=MONDAY + dt.timedelta(days=7)) == 0  # not configured
    settings_update(actor=people["boss"], leaderboard_roles=["manager", "planner"],
                    leaderboard_top=2)  # fmt: skip
    sent = leaderboard.weekly_message(today=MONDAY + dt.timedelta(days=8))
    again = leaderboard.weekly_message(today=MONDAY + dt.timedelta(days=9))
    assert sent == 2 and again == 2  # the same two messages: one per week
    msgs = Message.objects.filter(source="analytics.leaderboard")
    assert sorted(m.recipient.username for m in msgs) == ["boss", "wang"]
    body = msgs.first().body
    assert "li" in body and "wang" in body and "gone" not in body  # top 2 only
    assert msgs.first().link == f"/analytics/leaderboard/?week={MONDAY.isoformat()}"


@pytest.mark.urls("tests.analytics.insight_urlconf")
def test_api_matches(people):
    r = ApiClient(people["boss"]).get(f"/api/v1/analytics/leaderboard?week={MONDAY}")
    assert r.status_code == 200
    assert [u["username"] for u in r.json()["users"]] == ["li", "wang", "gone"]
