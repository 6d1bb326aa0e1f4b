"""Permission matrix of rules and follow-up tasks (SPEC §2, §6): every role × every endpoint and
page, with the exact status, written out by hand (not derived from ACTION_ROLES). Rules are not
regional; follow-up tasks are about an order of the user's own region (华东) or another (华北) —
what decides is to whom the task is assigned, never the region. Refusals change nothing."""

import pytest
from django.test import Client

from tests.factories import CustomerFactory, RegionFactory, make_order, make_user
from tests.support.fingerprint import Fingerprint, columns
from tests.support.matrix import ROLES
from zhongshu.rules.models import FollowUp, Rule

VIEW = {"admin", "manager", "planner"}
MANAGE = {"admin", "manager"}
TASK_MANAGE = {"admin", "manager", "planner", "sales", "purchasing"}
# a task assigned to the purchasing role: purchasing does it; admin and managers may close it too
TASK_DONE = {"purchasing", "admin", "manager"}

RULE = {
    "name": "矩阵规则",
    "triggers": ["schedule"],
    "condition": {"field": "priority", "op": "eq", "value": "urgent"},
    "actions": [{"type": "tag", "tag": "m"}],
}


def ok(roles, yes, no=403):
    return {r: (yes if r in roles else no) for r in ROLES}


API = [
    ("GET", "/api/v1/rules", None, ok(VIEW, 200)),
    ("GET", "/api/v1/rules/fields", None, ok(VIEW, 200)),
    ("GET", "/api/v1/rules/{rule}", None, ok(VIEW, 200)),
    ("POST", "/api/v1/rules", RULE, ok(MANAGE, 201)),
    ("PATCH", "/api/v1/rules/{rule}", {"enabled": False}, ok(MANAGE, 200)),
    ("DELETE", "/api/v1/rules/{rule}", None, ok(MANAGE, 204)),
    ("POST", "/api/v1/rules/dry-run", {"condition": {"all": []}}, ok(VIEW, 200)),
    ("GET", "/api/v1/tasks", None, ok(ROLES, 200)),
    ("POST", "/api/v1/tasks", {"title": "t", "assignee_role": "qc"}, ok(TASK_MANAGE, 201)),
    ("POST", "/api/v1/tasks/{task_own}/done", None, ok(TASK_DONE, 200, 404)),
    ("POST", "/api/v1/tasks/{task_other}/done", None, ok(TASK_DONE, 200, 404)),
]
WEB = [
    ("GET", "/rules/", ok(VIEW, 200)),
    ("GET", "/rules/new/", ok(MANAGE, 200)),
    ("GET", "/rules/{rule}/", ok(VIEW, 200)),
    ("POST", "/rules/{rule}/delete/", ok(MANAGE, 302)),
    ("GET", "/rules/tasks/", ok(ROLES, 200)),
    ("POST", "/rules/tasks/{task_own}/done/", ok(TASK_DONE, 302, 404)),
]


@pytest.fixture
def world(db):
    Rule.objects.exclude(builtin_key="").update(enabled=False)
    east, north = RegionFactory(name="华东"), RegionFactory(name="华北")
    seller = make_user("sales", regions=("华东", "华北"))
    own = make_order(actor=seller, customer=CustomerFactory(region=east))
    other = make_order(actor=seller, customer=CustomerFactory(region=north))
    rule = Rule.objects.create(name="r", triggers=["schedule"], condition={"all": []},
                               actions=[{"type": "tag", "tag": "x"}])  # fmt: skip
    t_own = FollowUp.objects.create(title="own", order=own, assignee_role="purchasing")
    t_other = FollowUp.objects.create(title="other", order=other, assignee_role="purchasing")
    return {"rule": rule.pk, "task_own": t_own.pk, "task_other": t_other.pk}


fingerprint = Fingerprint(
    columns(Rule, "id", "name", "enabled", "updated_at", sort=True),
    columns(FollowUp, "id", "title", "done_at", sort=True),
)


def _cases(table):
    for *params, expected in table:
        for role in ROLES:
            yield pytest.param(*params, role, expected[role], id=f"{params[0]} {params[1]} {role}")


@pytest.mark.parametrize("method,path,body,role,expected", list(_cases(API)))
def test_api(world, api_as, method, path, body, role, expected):
    user = make_user(role, regions=("华东",))
    before = fingerprint()
    api = api_as(user)
    url = path.format(**world)
    r = (
        getattr(api, method.lower())(url, body)
        if body is not None
        else (api.delete(url) if method == "DELETE" else getattr(api, method.lower())(url))
    )
    assert r.status_code == expected, r.content
    if expected >= 400:
        assert fingerprint() == before


@pytest.mark.parametrize("method,path,role,expected", list(_cases(WEB)))
def test_web(world, method, path, role, expected):
    user = make_user(role, regions=("华东",))
    client = Client()
    client.force_login(user)
    before = fingerprint()
    url = path.format(**world)
    r = client.get(url) if method == "GET" else client.post(url)
    assert r.status_code == expected
    if expected >= 400:
        assert fingerprint() == before


def test_anonymous(world):
    assert Client().get("/api/v1/rules").status_code == 401
    assert Client().get("/api/v1/tasks").status_code == 401
    r = Client().get("/rules/")
    assert r.status_code == 302 and "login" in r["Location"]
