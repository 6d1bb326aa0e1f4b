"""Every role × finance action × own/other region, through the API and the pages, with the exact
status; a refusal changes nothing. Amounts are money: roles outside finance, sales, management and
administration never see them (no list, no export, no balance)."""

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_user
from tests.support.matrix import ROLES
from zhongshu.finance.models import Adjustment, CustomerCredit, Payment

pytestmark = pytest.mark.django_db

VIEW = {"finance", "manager", "admin", "sales"}
WRITE = {"finance", "admin"}
REGIONAL = {"sales"}  # sees only the customers of their own regions


@pytest.fixture
def world(books, east, north):
    mine, theirs = books.customer(east), books.customer(north)
    return {"mine": mine, "theirs": theirs, "rec": books.ship(mine), "far": books.ship(theirs)}


@pytest.fixture
def users(db):
    return {
        r: make_user(r, regions=("华东",) if r == "sales" else (), username=f"fm_{r}")
        for r in ROLES
    }


def _snapshot():
    return (Payment.objects.count(), Adjustment.objects.count(), CustomerCredit.objects.count())


@pytest.mark.parametrize("role", ROLES)
def test_reads_lists_and_exports(role, users, world):
    c = Client()
    c.force_login(users[role])
    can_view = role in VIEW
    ok = 200 if can_view else 403

    # lists and exports, web and API
    r = c.get("/api/v1/finance/receivables", {"state": "all"})
    assert r.status_code == ok
    if can_view:
        seen = {i["customer"] for i in r.json()["items"]}
        expected = (
            {world["mine"].code} if role in REGIONAL else {world["mine"].code, world["theirs"].code}
        )
        assert seen == expected
    assert c.get("/api/v1/finance/receivables/export.xlsx").status_code == ok
    assert c.get("/api/v1/finance/payments").status_code == ok
    assert c.get("/api/v1/finance/balances").status_code == ok
    assert c.get("/api/v1/finance/ageing").status_code == ok
    assert c.get("/finance/").status_code == ok
    assert c.get("/finance/receivables.xlsx").status_code == ok
    assert c.get("/finance/balances/").status_code == ok

    # one customer: own region and other region
    own = c.get(f"/api/v1/finance/balances/{world['mine'].code}").status_code
    other = c.get(f"/api/v1/finance/balances/{world['theirs'].code}").status_code
    assert (own, other) == ((ok, 404 if role in REGIONAL else ok) if can_view else (403, 403))
    page = c.get(f"/finance/customers/{world['theirs'].code}/").status_code
    assert page == (404 if role in REGIONAL else ok)


@pytest.mark.parametrize("role", ROLES)
def test_writes(role, users, world):
    c = Client()
    c.force_login(users[role])
    before = _snapshot()
    today = timezone.localdate().isoformat()
    allowed = role in WRITE

    r = c.post(
        "/api/v1/finance/payments",
        {
            "customer": world["mine"].code,
            "reference": f"B-{role}",
            "amount": "10",
            "received_on": today,
        },
        content_type="application/json",
    )
    assert r.status_code == (201 if allowed else 403), r.content
    r = c.post(
        "/api/v1/finance/adjustments",
        {"customer": world["mine"].code, "amount": "-5", "made_on": today, "reason": "discount"},
        content_type="application/json",
    )
    assert r.status_code == (201 if allowed else 403), r.content
    r = c.put(
        f"/api/v1/finance/credit/{world['mine'].code}",
        {"credit_limit": "1000", "overdue_days": "30"},
        content_type="application/json",
    )
    assert r.status_code == (200 if allowed else 403), r.content
    r = c.post(
        "/finance/payments/new/",
        {
            "customer": world["mine"].code,
            "reference": f"W-{role}",
            "amount": "10",
            "received_on": today,
        },
    )
    assert r.status_code == (302 if allowed else 403), r.content[:300]

    if allowed:
        assert _snapshot() == (before[0] + 2, before[1] + 1, before[2] + 1)
    else:
        assert _snapshot() == before


@pytest.mark.parametrize("role", sorted(WRITE))
def test_another_regions_customer_is_out_of_reach_only_for_regional_roles(role, users, world):
    # finance and admin work for every region: a payment of the northern customer is recorded
    c = Client()
    c.force_login(users[role])
    r = c.post(
        "/api/v1/finance/payments",
        {
            "customer": world["theirs"].code,
            "reference": "N-1",
            "amount": "10",
            "received_on": timezone.localdate().isoformat(),
        },
        content_type="application/json",
    )
    assert r.status_code == 201


def test_sales_cannot_read_a_payment_of_another_region(users, world, clerk):
    from zhongshu.finance import services

    p = services.payment_create(
        actor=clerk,
        customer=world["theirs"].code,
        reference="N-2",
        amount="10",
        received_on=timezone.localdate(),
    )
    c = Client()
    c.force_login(users["sales"])
    assert c.get(f"/api/v1/finance/payments/{p.pk}").status_code == 404
    assert c.get(f"/finance/payments/{p.pk}/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_nobody_can_delete_anything(role, users, world, clerk):
    """Finance exports but never deletes: there is no DELETE route, no delete page."""
    from zhongshu.finance import services

    p = services.payment_create(
        actor=clerk, customer=world["mine"].code, reference="D-1", amount="10",
        received_on=timezone.localdate(),
    )  # fmt: skip
    a = services.adjustment_create(
        actor=clerk, customer=world["mine"].code, amount="3", made_on=timezone.localdate(),
        reason="x",
    )  # fmt: skip
    before = _snapshot()
    c = Client()
    c.force_login(users[role])
    for path in (
        f"/api/v1/finance/payments/{p.pk}",
        f"/api/v1/finance/adjustments/{a.pk}",
        f"/api/v1/finance/receivables/{world['rec'].pk}",
        f"/api/v1/finance/credit/{world['mine'].code}",
    ):
        assert c.delete(path).status_code in (404, 405), path
    for path in (f"/finance/payments/{p.pk}/delete/", f"/finance/adjustments/{a.pk}/delete/"):
        assert c.post(path).status_code == 404, path
    assert _snapshot() == before
