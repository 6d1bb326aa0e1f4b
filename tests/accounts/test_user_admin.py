import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PASSWORD, make_user
from zhongshu.accounts import selectors, services
from zhongshu.accounts.models import ApiToken
from zhongshu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

STRONG = "Quartz-Lantern-2048"


def _fields(exc) -> dict:
    return {e["field"]: e["message"] for e in exc.value.errors}


def test_admin_creates_and_edits_a_user_with_roles_and_regions(admin_user, east, north):
    user = services.user_create(
        actor=admin_user, username="li", password=STRONG, roles=["sales"], regions=["华东"]
    )

    services.user_update(
        actor=admin_user,
        user_id=user.pk,
        display_name="李四",
        roles=["sales", "finance"],
        regions=["华北", "华东"],
        mobile="13800000000",
        wecom_userid="lisi",
    )

    user.refresh_from_db()
    assert sorted(user.groups.values_list("name", flat=True)) == ["finance", "sales"]
    assert sorted(user.profile.regions.values_list("name", flat=True)) == ["华东", "华北"]
    assert (user.profile.display_name, user.profile.mobile, user.profile.wecom_userid) == (
        "李四",
        "13800000000",
        "lisi",
    )


def test_update_refuses_unknown_roles_and_regions_and_changes_nothing(admin_user, sales_east):
    with pytest.raises(ValidationFailed) as exc:
        services.user_update(
            actor=admin_user,
            user_id=sales_east.pk,
            display_name="x",
            roles=["sales", "pilot"],
            regions=["火星"],
        )

    assert set(_fields(exc)) == {"roles", "regions"}
    assert "火星" in _fields(exc)["regions"]
    assert list(sales_east.groups.values_list("name", flat=True)) == ["sales"]
    assert list(sales_east.profile.regions.values_list("name", flat=True)) == ["华东"]


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(admin_user):
    with pytest.raises(ValidationFailed) as exc:
        services.user_update(
            actor=admin_user, user_id=admin_user.pk, display_name="", roles=["sales"]
        )
    assert list(_fields(exc)) == ["roles"]

    with pytest.raises(Conflict) as conflict:
        services.user_set_active(actor=admin_user, user_id=admin_user.pk, active=False)
    assert conflict.value.http_status == 409

    admin_user.refresh_from_db()
    assert admin_user.is_active is True
    assert list(admin_user.groups.values_list("name", flat=True)) == ["admin"]


def test_deactivation_revokes_every_token_at_once(admin_user, sales_east):
    raw1, _t1 = services.token_create_for(actor=sales_east, user_id=sales_east.pk, name="a", days=5)
    raw2, _t2 = services.token_create_for(actor=admin_user, user_id=sales_east.pk, name="b", days=5)
    assert services.token_user(raw1) == sales_east

    services.user_set_active(actor=admin_user, user_id=sales_east.pk, active=False)

    assert ApiToken.objects.filter(user=sales_east, revoked_at__isnull=True).count() == 0
    assert services.token_user(raw1) is None
    assert services.token_user(raw2) is None
    services.user_set_active(actor=admin_user, user_id=sales_east.pk, active=True)
    assert services.token_user(raw1) is None  # reactivation does not revive tokens


def test_non_admin_may_not_manage_users(sales_east, planner):
    calls = [
        lambda: services.user_update(
            actor=sales_east, user_id=planner.pk, display_name="x", roles=["admin"]
        ),
        lambda: services.user_set_active(actor=sales_east, user_id=planner.pk, active=False),
        lambda: services.user_reset_password(
            actor=sales_east, user_id=planner.pk, new_password=STRONG
        ),
        lambda: services.token_create_for(actor=sales_east, user_id=planner.pk, name="x", days=1),
        lambda: selectors.user_list(actor=sales_east),
        lambda: selectors.token_list_for(actor=sales_east, user_id=planner.pk),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert planner.groups.get().name == "planner"


def test_users_revoke_only_their_own_tokens(sales_east, planner):
    _raw, token = services.token_create_for(actor=planner, user_id=planner.pk, name="p", days=1)

    with pytest.raises(NotFound):
        services.token_revoke(actor=sales_east, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None

    services.token_revoke(actor=planner, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_validation(sales_east):
    with pytest.raises(ValidationFailed) as exc:
        services.token_create_for(actor=sales_east, user_id=sales_east.pk, name=" ", days=0)
    assert set(_fields(exc)) == {"name", "days"}
    assert ApiToken.objects.count() == 0


def test_password_change_requires_the_old_password(sales_east):
    with pytest.raises(ValidationFailed) as exc:
        services.password_change(actor=sales_east, old_password="wrong", new_password=STRONG)
    assert list(_fields(exc)) == ["old_password"]
    sales_east.refresh_from_db()
    assert sales_east.check_password(PASSWORD)

    with pytest.raises(ValidationFailed) as weak:
        services.password_change(actor=sales_east, old_password=PASSWORD, new_password="123")
    assert list(_fields(weak)) == ["new_password"]

    services.password_change(actor=sales_east, old_password=PASSWORD, new_password=STRONG)
    sales_east.refresh_from_db()
    assert sales_east.check_password(STRONG)


def test_reset_password_applies_validators(admin_user, sales_east):
    with pytest.raises(ValidationFailed):
        services.user_reset_password(actor=admin_user, user_id=sales_east.pk, new_password="pw")

    services.user_reset_password(actor=admin_user, user_id=sales_east.pk, new_password=STRONG)

    sales_east.refresh_from_db()
    assert sales_east.check_password(STRONG)


def _list_queries(admin):
    admin = type(admin).objects.get(pk=admin.pk)  # no cached roles: both runs ask the same
    with CaptureQueriesContext(connection) as ctx:
        rows = [
            (
                u.username,
                [g.name for g in u.groups.all()],
                [r.name for r in u.profile.regions.all()],
            )
            for u in selectors.user_list(actor=admin)
        ]
    return rows, len(ctx.captured_queries)


def test_user_list_query_count_is_constant(admin_user, east):
    for _ in range(2):
        make_user("sales", regions=("华东",))
    small, few = _list_queries(admin_user)
    for _ in range(12):
        make_user("planner", regions=("华东",))
    large, many = _list_queries(admin_user)

    assert (len(small), len(large)) == (3, 15)
    assert few == many == 4  # roles of the viewer, users, their groups, their regions


def test_user_list_search_and_role_filter(admin_user, sales_east, planner):
    assert [u.username for u in selectors.user_list(actor=admin_user, role="sales")] == [
        "sales_east"
    ]
    assert [u.username for u in selectors.user_list(actor=admin_user, q="PLAN")] == ["planner"]


# --- API -------------------------------------------------------------------------------------


def test_api_lists_and_deactivates_users(api_as, admin_user, sales_east):
    sales_api = api_as(sales_east)
    admin_api = api_as(admin_user)

    listed = admin_api.get("/api/v1/users")
    assert listed.status_code == 200
    assert [(u["username"], u["roles"], u["regions"]) for u in listed.json()] == [
        ("admin", ["admin"], []),
        ("sales_east", ["sales"], ["华东"]),
    ]

    response = admin_api.post(f"/api/v1/users/{sales_east.pk}/deactivate")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert sales_api.get("/api/v1/me").status_code == 401


def test_api_refuses_non_admins_and_self_deactivation(api_as, admin_user, sales_east):
    sales_api = api_as(sales_east)
    assert sales_api.get("/api/v1/users").status_code == 403
    response = sales_api.post(f"/api/v1/users/{admin_user.pk}/deactivate")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"

    own = api_as(admin_user).post(f"/api/v1/users/{admin_user.pk}/deactivate")
    assert own.status_code == 409
    assert own.json()["code"] == "self_deactivation"
    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_api_own_tokens_create_list_revoke(api_as, sales_east, planner):
    api = api_as(sales_east)

    created = api.post("/api/v1/me/tokens", {"name": "erp", "days": 30})
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("zs_") and body["name"] == "erp"

    listed = api.get("/api/v1/me/tokens").json()
    assert "token" not in listed[0]
    assert sorted(t["name"] for t in listed) == ["api", "erp"]

    erp = api_as(token=body["token"])
    assert erp.get("/api/v1/me").json()["username"] == "sales_east"
    assert api.delete(f"/api/v1/me/tokens/{body['id']}").status_code == 204
    assert erp.get("/api/v1/me").status_code == 401

    api_as(planner)
    other = ApiToken.objects.get(user=planner)
    assert api.delete(f"/api/v1/me/tokens/{other.pk}").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None

    bad = api.post("/api/v1/me/tokens", {"name": "", "days": 0})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["details"]["errors"]} == {"name", "days"}
