"""Capable-to-promise on order entry, checked by hand on a small factory.

Monday 2 March 2026 (March has no holidays). Line L1 works one 8-hour shift and production's
last scheduling run left 4 hours of load on it that Monday. A gearbox (make to order) takes
1 h setup + 2 h per unit on L1 and is made of 3 shafts (bought, lead 2 working days). Bolts are
a stock item (lead 5 working days): 10 on hand, 4 reserved by a confirmed order."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    MaterialFactory,
    give_routing,
    make_order,
    make_user,
    make_warehouse,
    put_stock,
)
from zhongshu.planning import selectors, services
from zhongshu.planning.promise import Atp
from zhongshu.production.models import BomLine, LineLoad, WorkCenter

MONDAY = dt.date(2026, 3, 2)


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


@pytest.fixture
def world(db):
    admin = make_user("admin")
    make_warehouse()
    line = WorkCenter.objects.create(code="L1", name="装配线", hours_per_shift=8, shifts_per_day=1)
    gearbox = MaterialFactory(code="GB", fulfilment="make", lead_time_days=0)
    give_routing(gearbox, (line, 1, 2, None))
    shaft = MaterialFactory(code="SHAFT", kind="raw", lead_time_days=2)
    BomLine.objects.create(product=gearbox, component=shaft, quantity_per_unit=D(3))
    bolt = MaterialFactory(code="BOLT", kind="purchased", lead_time_days=5)
    put_stock(bolt, D(10))
    make_order(actor=admin, lines=[{"material": "BOLT", "quantity": "4", "unit_price": "1"}],
               due_in_days=20, status="confirmed")  # fmt: skip
    LineLoad.objects.create(work_center=line, day=MONDAY, planned_hours=D(4))
    return {"sales": make_user("sales", regions=("华东",)), "shaft": shaft, "bolt": bolt}


def promise(world, *lines, requested=None):
    return selectors.order_promise(
        actor=world["sales"],
        lines=[{"material": m, "quantity": q} for m, q in lines],
        requested=requested,
        today=MONDAY,
    )


def test_in_stock_ships_today(world):
    p = promise(world, ("BOLT", "6"), requested=d("2026-03-10"))
    [line] = p.lines
    assert (p.date, line.source, p.on_time) == (MONDAY, "stock", True)
    assert [r.code for r in line.reasons] == ["in_stock"]


def test_open_purchase_order_or_lead_time_whichever_is_first(world):
    po = services.purchase_order_create(
        actor=make_user("purchasing"), material="BOLT", quantity="10", due_date="2026-03-06"
    )
    # 8 > 6 available: the PO brings 10 on Friday 6th, before a new purchase (5 working days →
    # Monday 9th) would
    [line] = promise(world, ("BOLT", "8")).lines
    assert (line.date, line.source) == (d("2026-03-06"), "supply")
    assert po.number in line.reasons[0].text
    # 30 > 6 + 10: buy afresh
    p = promise(world, ("BOLT", "30"), requested=d("2026-03-05"))
    assert (p.date, p.lines[0].source, p.on_time, p.days_late) == (d("2026-03-09"), "purchase",
                                                                   False, 4)  # fmt: skip


def test_make_to_order_runs_on_the_free_hours_of_its_line(world):
    put_stock(world["shaft"], D(100))
    # 10 gearboxes: 1 + 10 × 2 = 21 h; Monday has 4 h free, then 8, 8 and 1 → Thursday 5th
    [line] = promise(world, ("GB", "10")).lines
    assert (line.date, line.source) == (d("2026-03-05"), "production")
    assert [r.code for r in line.reasons] == ["capacity"]
    assert "2026-03-02 – 2026-03-05" in line.reasons[0].text


def test_missing_components_delay_the_start(world):
    # no shafts: bought in 2 working days → Wednesday 4th; then 8 + 8 + 5 h → Friday 6th
    [line] = promise(world, ("GB", "10")).lines
    assert line.date == d("2026-03-06")
    assert [r.code for r in line.reasons] == ["component", "capacity"]
    assert "SHAFT" in line.reasons[0].text and "2026-03-04" in line.reasons[0].text


def test_lines_of_one_order_share_stock_and_capacity(world):
    put_stock(world["shaft"], D(100))
    # the second line starts after the first: 7 h left on Thursday, 4 more on Friday
    p = promise(world, ("GB", "10"), ("GB", "5"), ("BOLT", "6"), ("BOLT", "1"))
    assert [ln.date for ln in p.lines] == [d("2026-03-05"), d("2026-03-06"), MONDAY,
                                           d("2026-03-09")]  # fmt: skip
    assert p.date == d("2026-03-09")


def test_available_to_promise_looks_ahead_at_later_demand():
    atp = Atp(MONDAY)
    atp.net[MONDAY] += D(10)
    atp.net[d("2026-03-07")] -= D(8)  # an order needs 8 on the 7th
    atp.net[d("2026-03-09")] += D(5)
    # today 10 is on hand, but taking 5 would leave the 7th short: the 9th is the first day
    assert atp.earliest(D(2)) == MONDAY
    assert atp.earliest(D(5)) == d("2026-03-09")
    assert atp.earliest(D(8)) is None


def test_bad_lines_are_422_naming_the_line(world):
    from zhongshu.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        promise(world, ("BOLT", "1"), ("NOPE", "1"), ("BOLT", "-2"))
    assert sorted(e["field"] for e in exc.value.errors) == ["lines.1.material", "lines.2.quantity"]


def test_api_post_and_get(world, api_as):
    api = api_as(world["sales"])
    today = timezone.localdate()
    due = (today + dt.timedelta(days=10)).isoformat()
    body = {"due_date": due, "lines": [{"material": "BOLT", "quantity": "2"}]}
    r = api.post("/api/v1/planning/promise", body)
    assert r.status_code == 200, r.content
    assert (r.json()["date"], r.json()["on_time"]) == (today.isoformat(), True)
    assert r.json()["lines"][0]["reasons"][0]["code"] == "in_stock"
    r = api.get("/api/v1/planning/promise", {"material": "BOLT", "quantity": "2"})
    assert r.json()["date"] == today.isoformat() and r.json()["requested"] is None
    r = api.post("/api/v1/planning/promise", {"lines": [{"material": "X", "quantity": "1"}]})
    assert r.status_code == 422


def test_an_order_being_edited_does_not_compete_with_itself(world, api_as):
    # the confirmed order holds 4 of the 10 bolts: for itself, all 10 are there
    order = make_order(actor=make_user("admin"), status="confirmed",
                       lines=[{"material": "BOLT", "quantity": "6", "unit_price": "1"}])  # fmt: skip
    admin = api_as(make_user("admin"))
    body = {"order_id": order.pk, "lines": [{"material": "BOLT", "quantity": "6"}]}
    assert admin.post("/api/v1/planning/promise", body).json()["lines"][0]["source"] == "stock"
    body["order_id"] = None
    assert admin.post("/api/v1/planning/promise", body).json()["lines"][0]["source"] == "purchase"
    # a sales rep of another region may not name it
    north = api_as(make_user("sales", regions=("华北",)))
    assert north.post("/api/v1/planning/promise", {**body, "order_id": order.pk}).status_code == 404


@pytest.mark.parametrize("n", [1, 12])
def test_promise_query_count_does_not_grow_with_lines(world, api_as, n):
    put_stock(world["shaft"], D(100))
    api = api_as(world["sales"])
    lines = [{"material": "GB" if i % 2 else "BOLT", "quantity": "1"} for i in range(n)]
    api.post("/api/v1/planning/promise", {"lines": lines})
    with CaptureQueriesContext(connection) as queries:
        assert api.post("/api/v1/planning/promise", {"lines": lines}).status_code == 200
    assert len(queries) <= 24, [q["sql"] for q in queries]


def test_order_form_shows_the_panel_and_the_panel_answers(world):
    client = Client()
    client.force_login(world["sales"])
    form = client.get("/orders/new/").content.decode()
    assert 'hx-get="/planning/promise/panel"' in form
    today = timezone.localdate()
    r = client.get("/planning/promise/panel", {
        "due_date": (today + dt.timedelta(days=3)).isoformat(),
        "lines-0-material": "bolt", "lines-0-quantity": "2",
        "lines-1-material": "", "lines-1-quantity": "",
    })  # fmt: skip
    html = r.content.decode()
    assert r.status_code == 200 and today.isoformat() in html and "BOLT" in html
    # a role that may not ask gets nothing, and the form has no panel for it
    keeper = Client()
    keeper.force_login(make_user("warehouse"))
    assert keeper.get("/planning/promise/panel", {"lines-0-material": "BOLT"}).content == b""


def test_components_held_by_a_confirmed_order_are_not_promised_to_another(world):
    # given 30 shafts, all held by a confirmed order of 10 gearboxes (3 shafts each)
    put_stock(world["shaft"], D(30))
    held = make_order(actor=make_user("admin"), status="confirmed",
                      lines=[{"material": "GB", "quantity": "10", "unit_price": "1"}])  # fmt: skip
    assert held.reservations.get().quantity == D(30)
    # when another 10 gearboxes are promised / then their shafts must be bought first
    [line] = promise(world, ("GB", "10")).lines
    assert line.date == d("2026-03-06")
    assert [r.code for r in line.reasons] == ["component", "capacity"]
    # while for the holding order itself (being edited) its shafts are there
    p = selectors.order_promise(actor=make_user("admin"), order_id=held.pk, today=MONDAY,
                                lines=[{"material": "GB", "quantity": "10"}], requested=None)  # fmt: skip
    assert [r.code for r in p.lines[0].reasons] == ["capacity"]
