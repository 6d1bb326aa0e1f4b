"""The warehouse permission matrix: every role × every warehouse action (API and web), with the
exact status, written out by hand. A refused request changes nothing; an allowed write does."""

import pytest

from tests.factories import make_user
from tests.support.matrix import expect_outcome, request_as
from zhongshu.inventory.models import Warehouse

ROLES = ("admin", "manager", "sales", "planner", "supervisor", "operator", "qc", "warehouse",
         "purchasing", "finance")  # fmt: skip
VIEW = {"admin", "manager", "sales", "planner", "supervisor", "warehouse", "purchasing", "finance"}
EDIT = {"admin", "warehouse"}

# action: (who may, via, method, path, body, status when allowed, status when refused)
ACTIONS = {
    "api_list": (VIEW, "api", "get", "/api/v1/warehouses", None, 200, 403),
    "api_get": (VIEW, "api", "get", "/api/v1/warehouses/WH1", None, 200, 403),
    "api_export": (VIEW, "api", "get", "/api/v1/warehouses/export.xlsx", None, 200, 403),
    "api_create": (EDIT, "api", "post", "/api/v1/warehouses", {"code": "WH3", "name": "新"}, 201, 403),
    "api_edit": (EDIT, "api", "patch", "/api/v1/warehouses/WH2", {"is_default": True}, 200, 403),
    "api_delete": (EDIT, "api", "delete", "/api/v1/warehouses/WH2", None, 204, 403),
    "web_list": (VIEW, "web", "get", "/inventory/warehouses/", None, 200, 403),
    "web_export": (VIEW, "web", "get", "/inventory/warehouses/export.xlsx", None, 200, 403),
    "web_form": (EDIT, "web", "get", "/inventory/warehouses/WH1/", None, 200, 403),
    "web_create": (EDIT, "web", "post", "/inventory/warehouses/new/",
                   {"code": "WH4", "name": "网页仓"}, 302, 403),
    "web_deactivate": (EDIT, "web", "post", "/inventory/warehouses/WH2/active/", {"active": "0"},
                       302, 403),
    "web_delete": (EDIT, "web", "post", "/inventory/warehouses/WH2/delete/", {}, 302, 403),
}  # fmt: skip
WRITES = {"api_create", "api_edit", "api_delete", "web_create", "web_deactivate", "web_delete"}


def _state():
    return list(Warehouse.objects.order_by("code").values_list("code", "is_default", "is_active"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_matrix(db, api_as, role, action):
    allowed_roles, via, method, path, body, ok, refused = ACTIONS[action]
    Warehouse.objects.create(code="WH1", name="成品仓", is_default=True)
    Warehouse.objects.create(code="WH2", name="原料仓")
    pristine = _state()
    user = make_user(role, regions=("华东",) if role == "sales" else ())
    response = request_as(api_as, user, via, method, path, body)
    expect_outcome(
        response,
        allowed=role in allowed_roles,
        ok=ok,
        refused=refused,
        writes=action in WRITES,
        changed=_state() != pristine,
    )
