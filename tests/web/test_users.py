import re

import pytest

from tests.factories import PASSWORD
from zhongshu.accounts.models import ApiToken

STRONG = "Quartz-Lantern-2048"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_admin_creates_a_user_with_roles_and_regions(client_as, admin_user, east, north):
    client = client_as(admin_user)
    assert client.get("/users/new/").status_code == 200

    response = client.post(
        "/users/new/",
        {
            "username": "wang",
            "display_name": "王五",
            "password": STRONG,
            "roles": ["sales", "finance"],
            "regions": ["华北"],
        },
    )

    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "wang" in html and "王五" in html
    listed = client.get("/users/").content.decode()
    assert "wang" in listed and "华北" in listed


def test_admin_edits_roles_and_regions(client_as, admin_user, sales_east, north):
    client = client_as(admin_user)

    response = client.post(
        f"/users/{sales_east.pk}/",
        {"display_name": "东区销售", "roles": ["sales", "qc"], "regions": ["华北"], "mobile": ""},
    )

    assert response.status_code == 302
    assert sorted(sales_east.groups.values_list("name", flat=True)) == ["qc", "sales"]
    assert list(sales_east.profile.regions.values_list("name", flat=True)) == ["华北"]


def test_create_form_errors_are_shown_and_nothing_is_created(client_as, admin_user):
    response = client_as(admin_user).post(
        "/users/new/", {"username": "admin", "password": "1", "roles": []}
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "用户 admin 已存在" in html
    assert re.search(r'<label for="id_password">.*?class="error"', html, re.S)


def test_deactivated_user_token_stops_working_at_once(client_as, api_as, admin_user, sales_east):
    api = api_as(sales_east)
    assert api.get("/api/v1/me").status_code == 200

    response = client_as(admin_user).post(f"/users/{sales_east.pk}/active/", {"active": "0"})

    assert response.status_code == 302
    assert api.get("/api/v1/me").status_code == 401
    sales_east.refresh_from_db()
    assert sales_east.is_active is False


def test_admin_cannot_deactivate_themselves(client_as, admin_user):
    client = client_as(admin_user)
    page = client.get(f"/users/{admin_user.pk}/").content.decode()
    assert "您不能停用自己的账号" in page
    assert f'action="/users/{admin_user.pk}/active/"' not in page

    response = client.post(f"/users/{admin_user.pk}/active/", {"active": "0"})

    assert response.status_code == 409
    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_admin_cannot_drop_own_admin_role(client_as, admin_user):
    response = client_as(admin_user).post(
        f"/users/{admin_user.pk}/", {"display_name": "a", "roles": ["sales"]}
    )

    assert response.status_code == 422
    assert "您不能移除自己的系统管理员角色" in response.content.decode()
    assert list(admin_user.groups.values_list("name", flat=True)) == ["admin"]


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/users/"),
        ("get", "/users/new/"),
        ("post", "/users/new/"),
        ("get", "/users/{id}/"),
        ("post", "/users/{id}/"),
        ("post", "/users/{id}/active/"),
        ("post", "/users/{id}/password/"),
        ("post", "/users/{id}/tokens/"),
    ],
)
def test_non_admin_gets_403_on_every_users_page(client_as, sales_east, planner, method, path):
    client = client_as(sales_east)

    response = getattr(client, method)(
        path.format(id=planner.pk), {"active": "0", "new_password": STRONG, "name": "x"}
    )

    assert response.status_code == 403
    planner.refresh_from_db()
    assert planner.is_active is True
    assert planner.check_password(PASSWORD)
    assert ApiToken.objects.filter(user=planner).count() == 0


def test_users_nav_link_only_for_admins(client_as, admin_user, sales_east):
    assert 'href="/users/"' in client_as(admin_user).get("/orders/").content.decode()
    assert 'href="/users/"' not in client_as(sales_east).get("/orders/").content.decode()


def test_own_token_is_shown_once_and_can_be_revoked(client_as, api_as, sales_east):
    client = client_as(sales_east)

    response = client.post("/account/tokens/", {"name": "erp", "days": "30"})

    assert response.status_code == 200
    html = response.content.decode()
    raw = re.search(r'<code class="token" id="new-token">(zs_[\w-]+)</code>', html).group(1)
    assert "只显示这一次" in html
    assert response["Cache-Control"] == "no-store"
    assert raw not in client.get("/account/").content.decode()
    assert api_as(token=raw).get("/api/v1/me").status_code == 200

    token = ApiToken.objects.get(user=sales_east, name="erp")
    assert client.post(f"/tokens/{token.pk}/revoke/").status_code == 302
    assert api_as(token=raw).get("/api/v1/me").status_code == 401


def test_user_cannot_revoke_someone_elses_token(client_as, sales_east, planner):
    token = ApiToken.objects.create(
        user=planner, name="p", key_hash="x" * 64, prefix="xxxxxxxx", expires_at="2099-01-01T00:00Z"
    )

    assert client_as(sales_east).post(f"/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_admin_creates_a_token_for_a_user(client_as, admin_user, planner):
    client = client_as(admin_user)

    response = client.post(f"/users/{planner.pk}/tokens/", {"name": "mes", "days": "7"})

    assert response.status_code == 200
    assert ApiToken.objects.get(user=planner).name == "mes"
    page = client.get(f"/users/{planner.pk}/").content.decode()
    assert "mes" in page and "zs_" not in page


def test_password_change_with_wrong_old_password_is_refused(client_as, sales_east):
    client = client_as(sales_east)

    response = client.post("/account/password/", {"old_password": "nope", "new_password": STRONG})

    assert response.status_code == 422
    assert "当前密码不正确" in response.content.decode()
    sales_east.refresh_from_db()
    assert sales_east.check_password(PASSWORD)

    ok = client.post("/account/password/", {"old_password": PASSWORD, "new_password": STRONG})
    assert ok.status_code == 302
    sales_east.refresh_from_db()
    assert sales_east.check_password(STRONG)
    assert client.get("/account/").status_code == 200  # still logged in


def test_admin_resets_a_password(client_as, admin_user, planner):
    client = client_as(admin_user)

    weak = client.post(f"/users/{planner.pk}/password/", {"new_password": "123"})
    assert weak.status_code == 422

    assert (
        client.post(f"/users/{planner.pk}/password/", {"new_password": STRONG}).status_code == 302
    )
    planner.refresh_from_db()
    assert planner.check_password(STRONG)
