"""Roles as data through /api/v1: catalogue, create, copy, edit, preview, retire, reset, and the
last administrator kept."""

import io

import pytest
from python_calamine import load_workbook

from tests.factories import CustomerFactory, RegionFactory, make_order, make_user
from zhongshu.accounts import permissions
from zhongshu.accounts.models import RoleDefinition
from zhongshu.accounts.services import user_update

pytestmark = pytest.mark.django_db

FOLLOW_UP = {
    "code": "follow_up",
    "name": "跟单员",
    "actions": [
        "orders.view",
        "orders.export",
        "customers.view",
        "orders.edit",
        "orders.edit_others",
    ],
    "fields": {"price": "hidden", "schedule": "read", "lines": "read"},
    "scope": "all_regions",
}


def test_the_catalogue_names_every_action_group_and_scope(api_as):
    r = api_as(make_user("admin")).get("/api/v1/permissions/catalogue")
    assert r.status_code == 200, r.content
    body = r.json()
    assert [a["code"] for a in body["actions"]] == list(permissions.ACTION_ROLES)
    assert [g["code"] for g in body["field_groups"]] == list(permissions.FIELD_GROUPS)
    assert [s["code"] for s in body["scopes"]] == list(permissions.SCOPES)
    for entry in body["actions"] + body["field_groups"] + body["scopes"]:
        assert entry["label"] and entry["meaning"], entry
        assert not entry["label"].isascii(), entry  # a Chinese label for every entry
    # and no part of an action's label is its code: every area and verb has a label of its own
    from zhongshu.accounts import catalogue

    for action in permissions.ACTION_ROLES:
        area, _dot, verb = action.partition(".")
        assert area in catalogue.AREAS and verb in catalogue.VERBS, action
    assert api_as(make_user("manager")).get("/api/v1/permissions/catalogue").status_code == 403


def test_shipped_roles_are_seeded_with_todays_rules(api_as):
    roles = {r["code"]: r for r in api_as(make_user("admin")).get("/api/v1/roles").json()}
    assert set(roles) >= {"admin", "sales", "warehouse", "operator"}
    for code, role in roles.items():
        expected = {a for a, holders in permissions.ACTION_ROLES.items() if code in holders}
        assert set(role["actions"]) == expected, code
    assert roles["sales"]["scope"] == "own_regions"
    assert roles["warehouse"]["fields"] == {
        "price": "read",
        "amounts": "read",
        "schedule": "read",
        "lines": "read",
        "contact": "read",
        "cost": "read",
    }


def test_a_follow_up_clerk_sees_every_region_without_prices(api_as):
    admin = make_user("admin")
    r = api_as(admin).post("/api/v1/roles", FOLLOW_UP)
    assert r.status_code == 201, r.content
    east = make_order(actor=make_user("sales", regions=("华东",)))
    west_customer = CustomerFactory(region=RegionFactory(name="华西"))
    west = make_order(actor=make_user("sales", regions=("华西",)), customer=west_customer)
    clerk = make_user("sales")
    user_update(actor=admin, user_id=clerk.pk, display_name="跟单", roles=["follow_up"])
    api = api_as(clerk)
    items = api.get("/api/v1/orders").json()["items"]
    assert {i["id"] for i in items} == {east.pk, west.pk}
    assert all(i["total_amount"] is None for i in items)
    detail = api.get(f"/api/v1/orders/{west.pk}").json()
    assert detail["discount_rate"] is None and detail["subtotal"] is None
    assert all(ln["unit_price"] is None and ln["amount"] is None for ln in detail["lines"])
    assert detail["priority"] and detail["due_date"]
    export = api.get("/api/v1/orders/export.xlsx")
    assert export.status_code == 200
    header = load_workbook(io.BytesIO(export.getvalue())).get_sheet_by_index(0).to_python()[0]
    assert "合计" not in header and "小计" not in header and "订单号" in header
    # notes may be added, prices may not be changed
    ok = api.patch(f"/api/v1/orders/{west.pk}", {"version": west.version, "note": "已跟进"})
    assert ok.status_code == 200, ok.content
    refused = api.patch(f"/api/v1/orders/{west.pk}", {"version": west.version + 1, "tax_rate": 3})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden_field"


def test_preview_names_gains_losses_and_holders_and_writes_nothing(api_as):
    admin = make_user("admin")
    make_user("warehouse", username="wh1")
    make_user("warehouse", username="wh2")
    before = RoleDefinition.objects.get(code="warehouse").history.count()
    r = api_as(admin).post(
        "/api/v1/roles/warehouse/preview",
        {"actions": ["orders.view", "inventory.view", "audit.view"]},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["gains"] == ["audit.view"]
    assert "inventory.ship" in body["losses"]
    assert body["users"] == ["wh1", "wh2"] and body["user_count"] == 2
    assert RoleDefinition.objects.get(code="warehouse").history.count() == before


def test_edit_is_audited_and_reset_returns_to_the_defaults(api_as):
    admin = make_user("admin")
    planner = make_user("planner")
    api = api_as(admin)
    assert permissions.can(planner, "orders.confirm")
    r = api.patch("/api/v1/roles/planner", {"actions": ["orders.view"], "scope": "own_records"})
    assert r.status_code == 200, r.content
    assert "orders.confirm" in r.json()["change"]["losses"]
    permissions.forget_cached(planner)
    assert not permissions.can(planner, "orders.confirm")
    last = RoleDefinition.objects.get(code="planner").history.first()
    assert last.history_user == admin and last.history_change_reason.startswith("{")
    assert "orders.confirm" in last.revoked
    assert api.post("/api/v1/roles/planner/reset").status_code == 200
    assert RoleDefinition.objects.get(code="planner").history.first().revoked == []
    permissions.forget_cached(planner)
    assert permissions.can(planner, "orders.confirm")


def test_copy_and_retire(api_as):
    admin = make_user("admin")
    api = api_as(admin)
    r = api.post("/api/v1/roles", {"code": "sales_lead", "name": "销售主管", "copy_from": "sales"})
    assert r.status_code == 201, r.content
    assert set(r.json()["actions"]) == set(api.get("/api/v1/roles/sales").json()["actions"])
    lead = make_user("sales")
    user_update(actor=admin, user_id=lead.pk, display_name="主管", roles=["sales_lead"])
    assert permissions.can(lead, "orders.create")
    assert api.post("/api/v1/roles/sales_lead/retire").status_code == 200
    permissions.forget_cached(lead)
    assert not permissions.can(lead, "orders.create")


@pytest.mark.parametrize(
    "change",
    [
        ("patch", "/api/v1/roles/admin", {"actions": ["orders.view"]}),
        ("post", "/api/v1/roles/admin/retire", None),
    ],
    ids=["edit", "retire"],
)
def test_the_last_admin_cannot_be_removed(api_as, change):
    admin = make_user("admin")
    method, path, body = change
    before = list(RoleDefinition.objects.values_list("granted", "revoked", "retired"))
    r = getattr(api_as(admin), method)(path, body)
    assert r.status_code == 409 and r.json()["code"] == "last_admin", r.content
    assert list(RoleDefinition.objects.values_list("granted", "revoked", "retired")) == before


def test_bad_definitions_are_refused_with_every_reason(api_as):
    r = api_as(make_user("admin")).post(
        "/api/v1/roles",
        {"code": "X!", "name": "", "actions": ["orders.teleport"], "scope": "mars"},
    )
    assert r.status_code == 422
    assert (
        api_as(make_user("admin"))
        .post("/api/v1/roles", {"code": "ok_code", "name": "", "actions": ["orders.teleport"]})
        .status_code
        == 422
    )
    assert not RoleDefinition.objects.filter(code="ok_code").exists()
