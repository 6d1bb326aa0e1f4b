"""After-sales cases: a complaint on an order (maybe one shipment or material of it) is opened,
owned, worked and resolved with its cost; nothing is ever deleted; the complaint rate per quarter
is cases ÷ shipped orders in the user's scope."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_user
from zhongshu.aftersales import selectors, services
from zhongshu.aftersales.models import Case
from zhongshu.core.errors import StaleVersion, ValidationFailed

pytestmark = pytest.mark.django_db


def open_case(actor, order, **kw):
    data = {"category": "quality", "severity": "high", "description": "毛刺"} | kw
    return services.case_create(actor=actor, order_id=order.pk, **data)


def test_a_complaint_is_opened_on_a_shipped_order_with_its_shipment_and_material(
    shipped, qc, books
):
    order, shipment = shipped

    case = open_case(qc, order, shipment_id=shipment.pk, material_code=books.material.code.lower())

    assert (case.status, case.shipment_id, case.material_id) == (
        "open",
        shipment.pk,
        books.material.pk,
    )
    assert (case.category, case.severity, case.cost, case.created_by) == (
        "quality",
        "high",
        0,
        qc,
    )


def test_every_bad_input_is_reported_at_once_and_nothing_is_written(shipped, qc):
    order, _shipment = shipped
    with pytest.raises(ValidationFailed) as err:
        open_case(
            qc,
            order,
            category="weather",
            severity="",
            description=" ",
            shipment_id=999999,
            material_code="NOPE",
        )
    assert {e["field"] for e in err.value.errors} == {
        "category",
        "severity",
        "description",
        "shipment_id",
        "material_code",
    }
    assert not Case.objects.exists()


def test_the_case_is_owned_worked_resolved_and_closed(shipped, qc):
    order, _shipment = shipped
    case = open_case(qc, order)
    owner = make_user("sales", regions=("华东",), username="s.owner")

    case = services.case_update(
        actor=qc, case_id=case.pk, data={"owner": "s.owner", "status": "in_progress"}
    )
    assert (case.owner, case.status, case.version) == (owner, "in_progress", 2)

    # resolving needs a resolution
    with pytest.raises(ValidationFailed) as err:
        services.case_update(actor=qc, case_id=case.pk, data={"status": "resolved"})
    assert [e["field"] for e in err.value.errors] == ["resolution"]

    case = services.case_update(
        actor=qc,
        case_id=case.pk,
        data={"status": "resolved", "resolution": "补发 2 件", "cost": "86.50"},
        version=2,
    )
    assert (case.status, case.cost) == ("resolved", Decimal("86.50"))
    assert case.resolved_at is not None

    # a stale form is refused
    with pytest.raises(StaleVersion):
        services.case_update(actor=qc, case_id=case.pk, data={"cost": "1"}, version=2)

    case = services.case_update(actor=qc, case_id=case.pk, data={"status": "closed"})
    assert case.closed_at is not None

    # closed is final
    with pytest.raises(ValidationFailed):
        services.case_update(actor=qc, case_id=case.pk, data={"status": "in_progress"})


@pytest.mark.parametrize(
    ("start", "to", "ok"),
    [
        ("open", "closed", True),
        ("in_progress", "open", False),
        ("resolved", "in_progress", True),
        ("resolved", "open", False),
    ],
)
def test_status_transitions(shipped, qc, start, to, ok):
    order, _shipment = shipped
    case = open_case(qc, order)
    Case.objects.filter(pk=case.pk).update(status=start, resolution="done")
    data = {"status": to}
    if ok:
        assert services.case_update(actor=qc, case_id=case.pk, data=data).status == to
    else:
        with pytest.raises(ValidationFailed):
            services.case_update(actor=qc, case_id=case.pk, data=data)


def test_complaint_rate_per_quarter_is_cases_over_shipped_orders(books, east, north, qc):
    # given three orders shipped this quarter (two east, one north) and a case on two of them,
    # plus a case opened last quarter that does not count
    east_orders = [books.ship(books.customer(east)).order for _ in range(2)]
    north_order = books.ship(books.customer(north)).order
    open_case(qc, east_orders[0])
    open_case(qc, north_order)
    old = open_case(qc, east_orders[1])
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=200))
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    admin = make_user("admin", username="a.rate")
    sales = make_user("sales", regions=("华东",), username="s.rate")

    # then the rate is 2 / 3 overall, and 1 / 2 in the east
    everything = selectors.complaint_rate(actor=admin, year=today.year, quarter=quarter)
    assert (everything["cases"], everything["shipped_orders"], everything["rate"]) == (
        2,
        3,
        Decimal("0.6667"),
    )
    east_only = selectors.complaint_rate(actor=sales, year=today.year, quarter=quarter)
    assert (east_only["cases"], east_only["shipped_orders"], east_only["rate"]) == (
        1,
        2,
        Decimal("0.5000"),
    )


def test_complaint_rate_without_shipments_is_none_and_bad_quarters_are_422(qc, api_as):
    r = api_as(qc).get("/api/v1/aftersales/complaint-rate", {"year": "2001", "quarter": "2"})
    assert r.status_code == 200 and r.json()["rate"] is None
    r = api_as(qc).get("/api/v1/aftersales/complaint-rate", {"year": "x", "quarter": "5"})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["details"]["errors"]} == {"year", "quarter"}


def test_the_api_opens_patches_and_never_deletes(shipped, qc, api_as):
    order, shipment = shipped
    api = api_as(qc)
    r = api.post(
        "/api/v1/aftersales/cases",
        {
            "order_id": order.pk,
            "category": "damage",
            "severity": "low",
            "description": "外箱破损",
            "shipment_id": shipment.pk,
        },
    )
    assert r.status_code == 201, r.content
    case_id = r.json()["id"]
    assert r.json()["shipment_number"] == shipment.number

    r = api.patch(f"/api/v1/aftersales/cases/{case_id}", {"cost": "-3", "status": "sleeping"})
    assert r.status_code == 422
    r = api.patch(f"/api/v1/aftersales/cases/{case_id}", {"cost": "12.5", "version": 1})
    assert r.status_code == 200 and r.json()["cost"] in ("12.50", "12.5")

    assert api.delete(f"/api/v1/aftersales/cases/{case_id}").status_code == 405
    assert Case.objects.filter(pk=case_id).exists()


def test_the_web_pages_open_and_update_a_case(shipped, qc):
    from django.test import Client

    order, shipment = shipped
    c = Client()
    c.force_login(qc)
    r = c.post(
        "/aftersales/new/",
        {
            "order": order.number,
            "shipment": shipment.number,
            "category": "quality",
            "severity": "medium",
            "description": "尺寸超差",
        },
    )
    assert r.status_code == 302, r.content[:500]
    case = Case.objects.get()
    page = c.get(f"/aftersales/{case.pk}/").content.decode()
    assert "尺寸超差" in page and order.number in page
    r = c.post(
        f"/aftersales/{case.pk}/",
        {
            "status": "resolved",
            "severity": "medium",
            "category": "quality",
            "resolution": "返工",
            "cost": "20",
            "version": case.version,
        },
    )
    assert r.status_code == 302, r.content[:500]
    case.refresh_from_db()
    assert (case.status, case.cost) == ("resolved", Decimal("20"))
    listing = c.get("/aftersales/").content.decode()
    assert order.number in listing


@pytest.mark.parametrize("cases", [1, 10])
def test_the_list_costs_the_same_queries_for_1_or_10_cases(shipped, qc, api_as, cases):
    order, _shipment = shipped
    for _ in range(cases):
        open_case(qc, order)
    api = api_as(qc)
    from django.test import Client

    web = Client()
    web.force_login(qc)
    with CaptureQueriesContext(connection) as api_q:
        assert api.get("/api/v1/aftersales/cases").status_code == 200
    with CaptureQueriesContext(connection) as web_q:
        assert web.get("/aftersales/").status_code == 200
    assert len(api_q) <= 8, [q["sql"] for q in api_q]
    assert len(web_q) <= 14, [q["sql"] for q in web_q]
