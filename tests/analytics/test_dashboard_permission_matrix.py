"""The dashboard permission matrix: every role × the page, the polled fragment and the API.

Written out by hand from SPEC §2 (not derived from permissions.py): operators are refused (403),
everyone else gets 200 and figures computed over the orders their role lets them see — sales only
their own region (华东), QC and supervisors only their stages, everyone else all orders.
"""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import CustomerFactory, RegionFactory, make_user
from tests.support.matrix import ROLES
from zhongshu.accounts.services import token_create_for
from zhongshu.analytics.models import DailyActivity
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db


# (name, path, expected status per role in ROLES order)
ENDPOINTS = [
    ("page", "/dashboard/", "200 200 200 200 200 403 200 200 200 200"),
    ("grid", "/dashboard/grid/", "200 200 200 200 200 403 200 200 200 200"),
    ("api", "/api/v1/dashboard", "200 200 200 200 200 403 200 200 200 200"),
]
# what each role's dashboard counts in the world below: (awaiting review, overdue, due today)
SCOPED = {
    "admin": (3, 3, 1),
    "manager": (3, 3, 1),
    "sales": (2, 1, 1),  # 华东 only
    "planner": (3, 3, 1),
    "supervisor": (0, 2, 0),  # confirmed … awaiting QC only
    "qc": (0, 2, 0),  # in production … completed only
    "warehouse": (3, 3, 1),
    "purchasing": (3, 3, 1),
    "finance": (3, 3, 1),
}


def _world() -> dict:
    east = CustomerFactory(code="C-EAST", region=RegionFactory(name="华东"))
    north = CustomerFactory(code="C-NORTH", region=RegionFactory(name="华北"))
    users = {
        role: make_user(role, regions=("华东",) if role == "sales" else (), username=f"dm_{role}")
        for role in ROLES
    }
    today = timezone.localdate()
    owner = users["admin"]
    for n, (customer, status, due) in enumerate([
        (east, "pending_review", today + dt.timedelta(days=5)),
        (east, "pending_review", today),  # due today
        (north, "pending_review", today + dt.timedelta(days=9)),
        (east, "in_production", today - dt.timedelta(days=2)),  # overdue 1–3
        (north, "awaiting_qc", today - dt.timedelta(days=20)),  # overdue >15
        (north, "draft", today - dt.timedelta(days=5)),  # overdue 4–7
        (north, "completed", today - dt.timedelta(days=50)),  # not open: not overdue
    ]):  # fmt: skip
        Order.objects.create(number=f"PM-{n}", customer=customer, sales_owner=owner,
                             created_by=owner, status=status, due_date=due)  # fmt: skip
    return users


def _cases():
    for name, path, statuses in ENDPOINTS:
        for role, status in zip(ROLES, statuses.split(), strict=True):
            yield pytest.param(path, role, int(status), id=f"{name}-{role}")


@pytest.mark.parametrize("path,role,expected", list(_cases()))
def test_dashboard_matrix(path, role, expected):
    # given the world and one user of the role
    users = _world()
    user = users[role]
    before = (Order.objects.count(), DailyActivity.objects.count())

    # when the user asks for the endpoint
    if path.startswith("/api/"):
        token, _ = token_create_for(actor=user, user_id=user.pk, name="matrix", days=1)
        response = Client().get(path, headers={"Authorization": f"Bearer {token}"})
    else:
        client = Client()
        client.force_login(user)
        response = client.get(path)

    # then the status is the one written above, nothing changed, and the figures are the role's
    assert response.status_code == expected
    assert (Order.objects.count(), DailyActivity.objects.count()) == before
    if expected != 200:
        return
    review, overdue, due_today = SCOPED[role]
    if path.startswith("/api/"):
        data = response.json()
        got = (data["pending_today"]["awaiting_review"], data["overdue"]["total"],
               data["pending_today"]["due_today"])  # fmt: skip
    else:
        html = response.content.decode()
        got = tuple(
            int(html.split(f'data-kpi="{key}">', 1)[1].split("<", 1)[0])
            for key in ("awaiting_review", "overdue_total", "due_today")
        )
    assert got == (review, overdue, due_today)
