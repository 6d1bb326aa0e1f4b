"""/api/v1/rules and /api/v1/tasks: CRUD, validation (422 listing every problem), dry run scoped
to the caller, the field catalogue, follow-up tasks — with query-count caps on the lists."""

import pytest

from tests.factories import MaterialFactory, make_order, make_user
from zhongshu.rules.models import FollowUp, Rule

URL = "/api/v1/rules"
DUE_SOON = {
    "name": "急单提醒",
    "triggers": ["schedule", "order.created"],
    "interval_minutes": 30,
    "condition": {"all": [{"field": "priority", "op": "eq", "value": "urgent"}]},
    "actions": [{"type": "notify", "owner": True, "channel": "inapp", "template": "{number}"}],
}


@pytest.fixture
def boss(db):
    return make_user("manager", username="boss")


def test_create_read_update_delete(api_as, boss, no_default_rules):
    api = api_as(boss)
    r = api.post(URL, DUE_SOON)
    assert r.status_code == 201, r.content
    rule = r.json()
    assert rule["triggers"] == ["schedule", "order.created"] and rule["builtin"] is False
    assert rule["actions"][0] == {"type": "notify", "roles": [], "users": [], "owner": True,
                                  "channel": "inapp", "template": "{number}"}  # fmt: skip
    r = api.patch(f"{URL}/{rule['id']}", {"enabled": False, "name": "急单提醒（停用）"})
    assert r.status_code == 200 and r.json()["enabled"] is False
    assert api.get(f"{URL}/{rule['id']}").json()["name"] == "急单提醒（停用）"  # as typed
    assert Rule.objects.get(pk=rule["id"]).history.count() == 2
    assert api.delete(f"{URL}/{rule['id']}").status_code == 204
    assert api.get(f"{URL}/{rule['id']}").status_code == 404


def test_a_bad_rule_is_refused_with_every_problem_listed(api_as, boss):
    bad = {
        "name": "",
        "triggers": ["order.deleted"],
        "interval_minutes": 0,
        "condition": {"all": [{"field": "colour", "op": "eq", "value": 1},
                              {"field": "amount", "op": "gt", "value": "lots"}]},
        "actions": [{"type": "block", "message": "no"}, {"type": "explode"},
                    {"type": "notify", "channel": "pager"}],
    }  # fmt: skip
    before = Rule.objects.count()
    r = api_as(boss).post(URL, bad)
    assert r.status_code == 422
    fields = [e["field"] for e in r.json()["details"]["errors"]]
    assert fields == [
        "name",
        "triggers",
        "interval_minutes",
        "condition.all[0].field",
        "condition.all[1].value",
        "actions[0]",  # block needs the order.submitted trigger
        "actions[1].type",
        "actions[2]",  # notify whom?
        "actions[2].channel",
    ]
    assert Rule.objects.count() == before


def test_bad_json_types_never_500(api_as, boss):
    for body in ({"name": ["x"]}, {"name": "x", "condition": "all", "actions": "notify"},
                 {"name": "x", "triggers": "schedule", "actions": [1]},
                 {"name": "x", "triggers": [[]]}, {"name": "x", "triggers": [{"a": 1}, 3]}):  # fmt: skip
        assert api_as(boss).post(URL, body).status_code == 422


def test_fields_catalogue(api_as, planner):
    r = api_as(planner).get(f"{URL}/fields")
    assert r.status_code == 200
    fields = {f["name"]: f for f in r.json()}
    assert fields["days_to_due"]["type"] == "number" and fields["days_to_due"]["integer"] is True
    assert "contains" in [o["op"] for o in fields["customer_name"]["operators"]]


def test_dry_run_counts_the_open_orders_the_caller_can_see(
    api_as, sales_east, sales_north, customer_east, customer_north, admin_user, no_default_rules
):
    # given an urgent order in each region, one of them cancelled, and a normal one
    for customer, owner in ((customer_east, sales_east), (customer_north, sales_north)):
        make_order(actor=owner, customer=customer, priority="urgent")
    make_order(actor=sales_east, customer=customer_east, priority="urgent", status="cancelled")
    make_order(actor=sales_east, customer=customer_east)
    cond = {"condition": {"field": "priority", "op": "eq", "value": "urgent"}}
    # when the admin dry-runs / then both open urgent orders
    r = api_as(admin_user).post(f"{URL}/dry-run", cond)
    assert r.status_code == 200 and r.json()["count"] == 2
    # sales may not use rules at all; a condition that does not compile is a 422
    assert api_as(sales_east).post(f"{URL}/dry-run", cond).status_code == 403
    bad = api_as(admin_user).post(f"{URL}/dry-run", {"condition": {"field": "x"}})
    assert bad.status_code == 422


@pytest.mark.parametrize("n", [3, 30])
def test_rule_list_query_count(api_as, boss, n, django_assert_max_num_queries, no_default_rules):
    for i in range(n):
        Rule.objects.create(name=f"r{i}", triggers=["schedule"], condition={"all": []},
                            actions=[{"type": "tag", "tag": "x"}], created_by=boss)  # fmt: skip
    shipped = Rule.objects.exclude(builtin_key="").count()
    assert shipped == 4  # stock shortage, overdue, tier change follow-up, trial-list invitation
    api = api_as(boss)
    with django_assert_max_num_queries(6):
        r = api.get(URL)
    assert len(r.json()) == n + shipped


# --- follow-up tasks -------------------------------------------------------------------------------


def test_tasks_create_list_done(api_as, sales_east, customer_east, db):
    buyer = make_user("purchasing", username="buyer")
    order = make_order(actor=sales_east, customer=customer_east)
    # when sales asks purchasing (the role) to follow up on the order
    r = api_as(sales_east).post(
        "/api/v1/tasks",
        {"title": "催料", "order": order.number, "assignee_role": "purchasing",
         "due_date": "2026-12-31"},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    task = r.json()
    assert (task["order"], task["assignee_role"], task["created_at"] is not None) == (
        order.number, "purchasing", True,
    )  # fmt: skip
    # then the buyer sees it among their tasks, and not the sales user (not assigned to sales)
    assert [t["id"] for t in api_as(buyer).get("/api/v1/tasks").json()["items"]] == [task["id"]]
    assert api_as(sales_east).get("/api/v1/tasks").json()["count"] == 0
    # when the buyer marks it done / then it leaves the open list and shows in the done list
    r = api_as(buyer).post(f"/api/v1/tasks/{task['id']}/done")
    assert r.status_code == 200 and r.json()["done_by"] == "buyer"
    assert api_as(buyer).get("/api/v1/tasks").json()["count"] == 0
    assert api_as(buyer).get("/api/v1/tasks", {"done": "true"}).json()["count"] == 1


def test_task_create_refusals(api_as, sales_east, db):
    r = api_as(sales_east).post("/api/v1/tasks", {"title": "", "order": "SO-0", "assignee": "nobody",
                                                  "assignee_role": "chef", "due_date": "soon"})  # fmt: skip
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["details"]["errors"]] == [
        "title", "order", "assignee", "assignee_role", "due_date",
    ]  # fmt: skip
    operator = make_user("operator")
    assert (
        api_as(operator).post("/api/v1/tasks", {"title": "x", "assignee_role": "qc"}).status_code
        == 403
    )
    assert not FollowUp.objects.exists()


def test_someone_else_cannot_complete_my_task(api_as, db):
    buyer, qc = make_user("purchasing"), make_user("qc")
    task = FollowUp.objects.create(title="t", assignee=buyer)
    assert api_as(qc).post(f"/api/v1/tasks/{task.pk}/done").status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


@pytest.mark.parametrize("n", [5, 50])
def test_task_list_query_count(api_as, sales_east, customer_east, n, django_assert_max_num_queries):
    buyer = make_user("purchasing")
    order = make_order(actor=sales_east, customer=customer_east,
                       lines=[{"material": MaterialFactory().code, "quantity": "1", "unit_price": "1"}])  # fmt: skip
    FollowUp.objects.bulk_create(
        [FollowUp(title=f"t{i}", order=order, assignee_role="purchasing", created_by=sales_east)
         for i in range(n)]
    )  # fmt: skip
    api = api_as(buyer)
    with django_assert_max_num_queries(6):
        r = api.get("/api/v1/tasks", {"limit": 200})
    assert r.json()["count"] == n
