"""Activity figures count people: the channel bot and the accounts integrations sign in with
are left out of the leaderboard, the daily-active ratios and the staff counts, which come from
the enabled users by role."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from tests.factories import make_user
from zhongshu.accounts.services import token_create_for
from zhongshu.analytics import effect, leaderboard, people
from zhongshu.analytics.activity import record
from zhongshu.channels.services import channel_bot

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 16)


@pytest.fixture
def team(db):
    admin = make_user("admin", username="admin1")
    li = make_user("sales", username="li")
    wang = make_user("sales", username="wang")
    make_user("planner", username="zhao")
    bot = channel_bot()  # holds the sales role to create orders
    erp = make_user("sales", username="erp-sync")  # an integration: a token, no password
    erp.set_unusable_password()
    erp.save()
    token_create_for(actor=admin, user_id=erp.pk, name="ERP", days=30)
    marked = make_user("sales", username="import-robot")
    marked.groups.add(Group.objects.get_or_create(name=people.SYSTEM_GROUP)[0])
    for user, n in [(li, 3), (bot, 500), (erp, 200), (marked, 90), (wang, 1)]:
        record(user, "order.created", n=n, day=MONDAY)
    return {"admin": admin, "li": li, "wang": wang, "system": [bot, erp, marked]}


def test_system_accounts_are_known(team):
    assert people.system_user_ids() == {u.pk for u in team["system"]}
    assert sorted(people.people().values_list("username", flat=True)) == [
        "admin1", "li", "wang", "zhao",
    ]  # fmt: skip


def test_the_leaderboard_ranks_people_only(team):
    board = leaderboard.weekly(actor=team["admin"], day=MONDAY)
    assert [(u["username"], u["actions"]) for u in board["users"]] == [("li", 3), ("wang", 1)]


def test_the_daily_active_ratio_counts_people_only(team):
    data = leaderboard.daily_active(actor=team["admin"], start=MONDAY, end=MONDAY)
    assert data["enabled_users"] == 4
    assert (data["days"][0]["active_users"], data["days"][0]["ratio"]) == (2, 50.0)


def test_staff_counts_come_from_enabled_people_by_role(team):
    assert (
        people.staff_count() == 2
    )  # li and wang hold sales; the bot and integrations do not count
    team["wang"].is_active = False
    team["wang"].save()
    assert people.staff_count() == 1
    a = effect.Period(MONDAY, MONDAY)
    data = effect.report(actor=team["admin"], a=a, b=a, today=MONDAY + dt.timedelta(days=1))
    assert data["a"]["order_desk_staff"] == 1
    assert data["a"]["daily_active_ratio"] == pytest.approx(100 / 3, abs=0.1)  # li of 3 people
