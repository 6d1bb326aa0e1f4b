"""The catalogue and role pages: administrators only; a change is previewed before it is saved."""

import pytest
from django.test import Client

from tests.factories import make_user
from zhongshu.accounts import permissions
from zhongshu.accounts.models import RoleDefinition

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["/accounts/permissions/", "/accounts/roles/"])
def test_only_administrators_see_the_role_pages(path):
    page = _client(make_user("admin")).get(path)
    assert page.status_code == 200
    assert "orders.confirm" in page.content.decode() or "销售" in page.content.decode()
    assert _client(make_user("manager")).get(path).status_code == 403


def test_create_preview_then_save_a_role():
    admin = _client(make_user("admin"))
    r = admin.post("/accounts/roles/", {"code": "follow_up", "name": "跟单员"})
    assert r.status_code == 302 and r["Location"].endswith("/accounts/roles/follow_up/")
    data = {
        "name": "跟单员",
        "scope": "all_regions",
        "actions": ["orders.view", "orders.edit", "orders.edit_others"],
        "field_price": "hidden",
        "field_schedule": "read",
        "field_lines": "read",
    }
    preview = admin.post("/accounts/roles/follow_up/", data)
    body = preview.content.decode()
    assert preview.status_code == 200 and 'id="preview"' in body and "orders.edit_others" in body
    assert RoleDefinition.objects.get(code="follow_up").granted == []
    saved = admin.post("/accounts/roles/follow_up/", {**data, "confirm": "1"})
    assert saved.status_code == 302
    role = RoleDefinition.objects.get(code="follow_up")
    assert set(role.granted) == {"orders.view", "orders.edit", "orders.edit_others"}
    assert role.hidden == ["price"] and role.scope == "all_regions"
    clerk = make_user("sales")
    page = admin.post(
        f"/users/{clerk.pk}/", {"display_name": "跟单", "roles": ["follow_up"]}, follow=True
    )
    assert page.status_code == 200
    permissions.forget_cached(clerk)
    assert permissions.roles_of(clerk) == {"follow_up"}


def test_retiring_the_only_admin_role_is_refused_on_the_page():
    admin = _client(make_user("admin"))
    r = admin.post("/accounts/roles/admin/state/", {"do": "retire"}, follow=True)
    assert r.status_code == 200
    assert not RoleDefinition.objects.get(code="admin").retired
