"""Every role × after-sales action × own/other region, through API, pages and export; refusals
change nothing."""

import pytest
from django.test import Client

from tests.factories import make_user
from tests.support.matrix import ROLES
from zhongshu.aftersales import services
from zhongshu.aftersales.models import Case

pytestmark = pytest.mark.django_db

VIEW = set(ROLES) - {"operator"}
MANAGE = {"sales", "qc", "manager", "admin"}
REGIONAL = {"sales"}
# production supervisors see orders in production only: a shipped order is outside their scope
UNSEEN = REGIONAL | {"supervisor"}


@pytest.fixture
def world(books, east, north):
    mine = books.ship(books.customer(east)).order
    theirs = books.ship(books.customer(north)).order
    admin = make_user("admin", username="as_admin0")
    far_case = services.case_create(
        actor=admin, order_id=theirs.pk, category="other", severity="low", description="x"
    )
    return {"mine": mine, "theirs": theirs, "far_case": far_case}


@pytest.mark.parametrize("role", ROLES)
def test_aftersales_matrix(role, world):
    user = make_user(role, regions=("华东",) if role == "sales" else (), username=f"as_{role}")
    c = Client()
    c.force_login(user)
    ok = 200 if role in VIEW else 403
    before = Case.objects.count()

    # list, export, complaint rate
    r = c.get("/api/v1/aftersales/cases")
    assert r.status_code == ok
    if role in VIEW:
        expected = 0 if role in UNSEEN else 1
        assert len(r.json()["items"]) == expected
        # no price terms of the order travel with a case
        assert (
            not any("price" in k or "discount" in k for k in r.json()["items"][0])
            if expected
            else True
        )
    assert c.get("/api/v1/aftersales/cases/export.xlsx").status_code == ok
    assert c.get("/aftersales/").status_code == ok
    assert c.get("/aftersales/export.xlsx").status_code == ok
    assert (
        c.get("/api/v1/aftersales/complaint-rate", {"year": 2026, "quarter": 1}).status_code == ok
    )

    # another region's case
    far = c.get(f"/api/v1/aftersales/cases/{world['far_case'].pk}").status_code
    assert far == (403 if role not in VIEW else 404 if role in UNSEEN else 200)

    # opening a case on an own-region order and on another region's order
    body = {"category": "quality", "severity": "low", "description": "d"}
    r = c.post(
        "/api/v1/aftersales/cases",
        {"order_id": world["mine"].pk, **body},
        content_type="application/json",
    )
    assert r.status_code == (201 if role in MANAGE else 403), r.content
    r = c.post(
        "/api/v1/aftersales/cases",
        {"order_id": world["theirs"].pk, **body},
        content_type="application/json",
    )
    assert r.status_code == (403 if role not in MANAGE else 404 if role in REGIONAL else 201)
    r = c.patch(
        f"/api/v1/aftersales/cases/{world['far_case'].pk}",
        {"cost": "5"},
        content_type="application/json",
    )
    assert r.status_code == (403 if role not in MANAGE else 404 if role in REGIONAL else 200)

    created = (1 if role in MANAGE else 0) + (1 if role in MANAGE - REGIONAL else 0)
    assert Case.objects.count() == before + created
    if role not in MANAGE - REGIONAL:
        world["far_case"].refresh_from_db()
        assert world["far_case"].cost == 0
