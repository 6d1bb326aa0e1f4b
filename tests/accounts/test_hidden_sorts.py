"""A sort by a field the reader's roles hide would tell what it hides (the order of the totals):
the API refuses it (422) and the page ignores it with a message."""

import pytest
from django.test import Client

from tests.factories import MaterialFactory, make_order, make_user
from zhongshu.accounts import permissions, role_services
from zhongshu.accounts.services import user_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    admin = make_user("admin")
    role_services.role_create(
        actor=admin,
        code="clerk",
        data={
            "name": "跟单员",
            "actions": ["orders.view", "orders.export", "customers.view"],
            "fields": {"price": "hidden"},
            "scope": "all_regions",
        },
    )
    user = make_user("sales", username="clerk-user")
    user_update(actor=admin, user_id=user.pk, display_name="跟单", roles=["clerk"])
    permissions.forget_cached(user)
    sales = make_user("sales", regions=("华东",))
    MaterialFactory(code="M-1")
    small = make_order(actor=sales, lines=[{"material": "M-1", "quantity": "1", "unit_price": "1"}])
    big = make_order(actor=sales, lines=[{"material": "M-1", "quantity": "9", "unit_price": "99"}])
    return user, sales, small, big


@pytest.mark.parametrize("sort", ["total", "-total"])
def test_the_api_refuses_a_sort_by_a_hidden_total(api_as, clerk, sort):
    user, sales, _small, _big = clerk
    response = api_as(user).get(f"/api/v1/orders?sort={sort}")
    assert response.status_code == 422, response.content
    assert "sort" in response.content.decode()
    assert api_as(user).get("/api/v1/orders?sort=due_date").status_code == 200
    assert api_as(sales).get(f"/api/v1/orders?sort={sort}").status_code == 200


def test_the_export_refuses_it_too(api_as, clerk):
    user, *_ = clerk
    assert api_as(user).get("/api/v1/orders/export.xlsx?sort=-total").status_code == 422


def test_the_page_ignores_it_with_a_message(clerk):
    user, _sales, small, big = clerk
    client = Client()
    client.force_login(user)
    page = client.get("/orders/?view=0&sort=total").content.decode()
    assert "不能按它排序" in page
    # newest first, as without a sort: the bigger order (made last) comes first
    assert page.index(big.number) < page.index(small.number)
    newest = client.get("/orders/?view=0").content.decode()
    assert newest.index(big.number) < newest.index(small.number)
