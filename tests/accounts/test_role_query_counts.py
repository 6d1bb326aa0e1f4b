"""Permission checks from the role table cost what the fixed tables cost: the order list (page
and API) takes as many statements as before roles became data, and a role created as data costs
the same as the shipped role it copies."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import make_order, make_user
from zhongshu.accounts import role_services
from zhongshu.accounts.services import user_update

pytestmark = pytest.mark.django_db

# statements per request, measured on the code before roles were stored (fixed tables); the API
# took 4 until a token's user came with its roles in the same statement
BEFORE = {"/api/v1/orders": 3, "/orders/": 8}  # the page: 7, and the total count above it


def _count(client, path, **kw):
    client.get(path, **kw)  # warm the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **kw)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _counts(user):
    from zhongshu.accounts.services import token_create_for

    raw, _t = token_create_for(actor=user, user_id=user.pk, name="q", days=1)
    api = _count(Client(), "/api/v1/orders", headers={"Authorization": f"Bearer {raw}"})
    page_client = Client()
    page_client.force_login(user)
    return {"/api/v1/orders": api, "/orders/": _count(page_client, "/orders/")}


def test_list_pages_cost_what_they_cost():
    sales = make_user("sales", regions=("华东",))
    for _ in range(5):
        make_order(actor=sales)
    assert _counts(make_user("planner")) == BEFORE
    admin = make_user("admin")
    role_services.role_create(
        actor=admin, code="planner_copy", data={"name": "计划副本"}, copy_from="planner"
    )
    copy = make_user("sales", username="copy-user")
    user_update(actor=admin, user_id=copy.pk, display_name="副本", roles=["planner_copy"])
    assert _counts(copy) == BEFORE


def test_the_role_list_costs_the_same_for_ten_roles_and_for_twenty():
    admin = make_user("admin")
    for i in range(3):
        make_user("sales", username=f"holder{i}")
    from zhongshu.accounts.services import token_create_for

    token, _t = token_create_for(actor=admin, user_id=admin.pk, name="q", days=1)
    headers = {"Authorization": f"Bearer {token}"}
    page = Client()
    page.force_login(admin)

    def both():
        return (
            _count(Client(), "/api/v1/roles", headers=headers),
            _count(page, "/accounts/roles/"),
        )

    shipped = both()
    for i in range(10):
        role_services.role_create(actor=admin, code=f"extra{i}", data={"name": f"附加{i}"},
                                  copy_from="sales")  # fmt: skip
    # ten more roles, the same statements: holders are counted in one grouped query
    assert both() == shipped
    listed = {r["code"]: r["users"] for r in role_services.role_list(actor=admin)}
    assert listed["sales"] == 3 and listed["admin"] == 1 and listed["extra0"] == 0
