"""The go-live checklist and company page permission matrix: every role, the exact status,
written out by hand. A refused request changes nothing; an allowed write does."""

import pytest
from django.test import Client

from tests.factories import make_user
from zhongshu.documents.models import CompanyProfile

ROLES = ("admin", "manager", "sales", "planner", "supervisor", "operator", "qc", "warehouse",
         "purchasing", "finance")  # fmt: skip
ADMIN = {"admin"}

ACTIONS = {
    "api_setup": (ADMIN, "api", "get", "/api/v1/setup", None, 200, 403),
    "web_setup": (ADMIN, "web", "get", "/setup/", None, 200, 403),
    "web_company": (ADMIN, "web", "get", "/documents/company/", None, 200, 403),
    "web_company_save": (ADMIN, "web", "post", "/documents/company/",
                         {"name": "中枢机械", "tax_id": "9133"}, 302, 403),
    "api_company": (ADMIN, "api", "get", "/api/v1/company", None, 200, 403),
    "api_company_patch": (ADMIN, "api", "patch", "/api/v1/company",
                          {"name": "中枢机械", "tax_id": "9133"}, 200, 403),
}  # fmt: skip


def _state():
    return list(CompanyProfile.objects.values_list("name", "tax_id"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_matrix(db, api_as, role, action):
    allowed_roles, via, method, path, body, ok, refused = ACTIONS[action]
    user = make_user(role, regions=("华东",) if role == "sales" else ())
    pristine = _state()
    if via == "api":
        response = api_as(user)._call(method, path, body)
    else:
        client = Client()
        client.force_login(user)
        response = getattr(client, method)(path, body or {})
    allowed = role in allowed_roles
    assert response.status_code == (ok if allowed else refused), response.content[:300]
    assert (_state() != pristine) == (method in ("post", "patch") and allowed)
