"""The short per-scope cache behind the page and the API: users sharing a scope share one
computation for DASHBOARD_CACHE_SECONDS, other scopes never see it, personal figures stay fresh."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.factories import CustomerFactory, RegionFactory, make_user
from zhongshu.analytics import selectors, sources
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db


def _order(customer, owner, status="pending_review"):
    n = Order.objects.count() + 1
    return Order.objects.create(
        number=f"CA-{n}", customer=customer, sales_owner=owner, created_by=owner, status=status,
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )  # fmt: skip


@pytest.fixture
def cached(settings):
    settings.DASHBOARD_CACHE_SECONDS = 60


def test_one_computation_per_scope_within_the_cache_time(cached, api_as):
    # given two administrators, a sales user of 华东 and orders in two regions
    east = CustomerFactory(region=RegionFactory(name="华东"))
    north = CustomerFactory(region=RegionFactory(name="华北"))
    admin, admin2 = make_user("admin"), make_user("admin")
    sales = make_user("sales", regions=("华东",))
    _order(east, admin)
    _order(north, admin)

    # when the sales user looks first, then the administrators, with a new order in between
    sales_first = api_as(sales).get("/api/v1/dashboard").json()
    admin_first = api_as(admin).get("/api/v1/dashboard").json()
    _order(north, admin)
    admin_again = api_as(admin2).get("/api/v1/dashboard").json()

    # then each scope has its own figures, the second administrator shares the first one's
    # computation (same figures, same time stamp) and the new order shows once it expires
    assert sales_first["pending_today"]["awaiting_review"] == 1
    assert admin_first["pending_today"]["awaiting_review"] == 2
    assert admin_again == admin_first
    cache.clear()
    fresh = api_as(admin).get("/api/v1/dashboard").json()
    assert fresh["pending_today"]["awaiting_review"] == 3


def test_personal_figures_are_not_shared(cached):
    # given an approvals counter that differs per person
    admin, admin2 = make_user("admin"), make_user("admin")

    def waiting(actor):
        return 5 if actor.pk == admin.pk else 1

    sources.register_awaiting_approval(waiting)
    try:
        first = selectors.dashboard_for(actor=admin)
        second = selectors.dashboard_for(actor=admin2)
    finally:
        sources._awaiting_approval.remove(waiting)

    assert first["generated_at"] == second["generated_at"]  # one computation …
    assert first["pending_today"]["awaiting_my_approval"] == 5  # … personal figures apart
    assert second["pending_today"]["awaiting_my_approval"] == 1


def test_operators_are_refused_before_the_cache(cached):
    from zhongshu.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        selectors.dashboard_for(actor=make_user("operator"))


def test_cached_pages_show_the_cached_figures_with_personal_charts(cached):
    from django.test import Client

    # given two administrators with different approvals waiting
    admin, admin2 = make_user("admin"), make_user("admin")

    def waiting(actor):
        return 7 if actor.pk == admin.pk else 2

    sources.register_awaiting_approval(waiting)
    try:
        pages = []
        for user in (admin, admin2, admin):
            client = Client(headers={"accept-language": "en"})
            client.force_login(user)
            pages.append(client.get("/dashboard/").content.decode())
    finally:
        sources._awaiting_approval.remove(waiting)

    # then each page shows its own count, and the cached charts are the same markup
    assert 'data-kpi="awaiting_my_approval">7<' in pages[0]
    assert 'data-kpi="awaiting_my_approval">2<' in pages[1]

    def grid(html):
        return html[html.index('<div id="kpi-grid"') : html.index("</main>")]

    assert grid(pages[0]) == grid(pages[2])
