"""The region permission matrix: every role × every region action (API and web), with the exact
status, written out by hand. A refused request changes nothing; an allowed write does."""

import pytest

from tests.factories import make_user
from tests.support.matrix import expect_outcome, request_as
from zhongshu.accounts.models import Region

ROLES = ("admin", "manager", "sales", "planner", "supervisor", "operator", "qc", "warehouse",
         "purchasing", "finance")  # fmt: skip
EVERYONE = set(ROLES)
EXPORT = {"admin", "manager"}
EDIT = {"admin"}

# action: (who may, via, method, path, body, status when allowed, status when refused)
ACTIONS = {
    "api_list": (EVERYONE, "api", "get", "/api/v1/regions", None, 200, 403),
    "api_export": (EXPORT, "api", "get", "/api/v1/regions/export.xlsx", None, 200, 403),
    "api_create": (EDIT, "api", "post", "/api/v1/regions", {"name": "西南"}, 201, 403),
    "api_rename": (EDIT, "api", "patch", "/api/v1/regions/{R}", {"name": "华北区"}, 200, 403),
    "api_deactivate": (EDIT, "api", "patch", "/api/v1/regions/{R}", {"active": False}, 200, 403),
    "web_list": (EVERYONE, "web", "get", "/regions/", None, 200, 403),
    "web_export": (EXPORT, "web", "get", "/regions/export.xlsx", None, 200, 403),
    "web_create": (EDIT, "web", "post", "/regions/", {"name": "西北"}, 302, 403),
    "web_rename": (EDIT, "web", "post", "/regions/", {"id": "{R}", "name": "华北区"}, 302, 403),
    "web_deactivate": (EDIT, "web", "post", "/regions/{R}/active/", {"active": "0"}, 302, 403),
}  # fmt: skip
WRITES = {"api_create", "api_rename", "api_deactivate", "web_create", "web_rename",
          "web_deactivate"}  # fmt: skip


def _state():
    return list(Region.objects.order_by("pk").values_list("name", "active"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_matrix(db, api_as, role, action):
    allowed_roles, via, method, path, body, ok, refused = ACTIONS[action]
    user = make_user(role, regions=("华东",) if role == "sales" else ())
    region = Region.objects.create(name="华北")
    pristine = _state()
    path = path.replace("{R}", str(region.pk))
    body = {k: (str(region.pk) if v == "{R}" else v) for k, v in body.items()} if body else body
    response = request_as(api_as, user, via, method, path, body)
    expect_outcome(
        response,
        allowed=role in allowed_roles,
        ok=ok,
        refused=refused,
        writes=action in WRITES,
        changed=_state() != pristine,
    )
