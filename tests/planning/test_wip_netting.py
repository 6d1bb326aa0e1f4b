"""Work in progress as supply: a scheduled task sheet supplies its product at its planned
finish, and its components are needed at its planned start until work has started.

Every case: a gearbox (made, lead 0) of 3 shafts (bought, lead 0, none in stock) and a confirmed
order for 4 gearboxes due in 40 days, whose task sheet confirm created."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tests.factories import MaterialFactory, make_order, make_user, make_warehouse, put_stock
from zhongshu.inventory.services import order_release, stock_adjust
from zhongshu.planning import mrp, services
from zhongshu.planning.models import PurchaseSuggestion
from zhongshu.production.calendar import is_national_working_day
from zhongshu.production.models import BomLine, Task, TaskSheet

TODAY = timezone.localdate()


def last_working_day(day):
    """A made part is released on a working day: its components are needed on the last working
    day on or before its order's due date (the due date itself when that is a working day)."""
    while not is_national_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def at(days: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(TODAY + dt.timedelta(days=days), dt.time(10)))


@pytest.fixture
def world(db):
    admin = make_user("admin")
    make_warehouse()
    gearbox = MaterialFactory(code="GB-1", fulfilment="make", lead_time_days=0)
    shaft = MaterialFactory(code="SH-1", kind="raw", lead_time_days=0)
    BomLine.objects.create(product=gearbox, component=shaft, quantity_per_unit=D(3))
    line = {"material": "GB-1", "quantity": "4", "unit_price": "100"}
    # confirming holds the 12 shafts (all or nothing); the order then gives them back and they
    # are used up elsewhere, so it stands confirmed with its shafts still to buy
    put_stock(shaft, 12)
    order = make_order(actor=admin, lines=[line], due_in_days=40, status="confirmed")
    order_release(order=order, actor=admin, reason="test")
    stock_adjust(actor=admin, material="SH-1", quantity="-12", reason="用于其他订单")
    return {"buyer": make_user("purchasing"), "order": order, "gearbox": gearbox}


def _schedule(order, start_day: int, finish_day: int) -> None:
    """What production's scheduler writes: planned start and finish of the sheet's tasks."""
    Task.objects.filter(order=order).update(
        planned_start=at(start_day), planned_finish=at(finish_day)
    )


def _suggestions():
    services.mrp_run(actor=make_user("purchasing"))
    return list(
        PurchaseSuggestion.objects.values_list(
            "material__code", "quantity", "need_date", "peg_count"
        )
    )


def test_an_unscheduled_sheet_is_planned_as_before_from_the_order(world):
    assert _suggestions() == [("SH-1", D(12), last_working_day(world["order"].due_date), 1)]


def test_a_scheduled_sheet_needs_its_components_at_its_planned_start(world):
    _schedule(world["order"], 5, 7)
    wip = mrp.load_wip(TODAY)
    sheet = TaskSheet.objects.get()
    assert wip.supply == [(world["gearbox"].pk, TODAY + dt.timedelta(days=7), D(4), sheet.number)]
    # the gearboxes are covered by the sheet; the shafts are needed when it starts
    assert _suggestions() == [("SH-1", D(12), TODAY + dt.timedelta(days=5), 1)]


def test_once_work_has_started_the_components_are_on_the_floor(world):
    _schedule(world["order"], 0, 3)
    Task.objects.filter(order=world["order"]).update(status="in_progress")
    assert _suggestions() == []


def test_a_sheet_finishing_after_the_due_date_still_covers_its_order(world):
    _schedule(world["order"], 50, 55)  # due in 40 days: production runs late
    [(_mid, day, qty, _number)] = mrp.load_wip(TODAY).supply
    assert (day, qty) == (world["order"].due_date, D(4))
    # no second batch of gearboxes: only the shafts of this one, at its start
    assert _suggestions() == [("SH-1", D(12), TODAY + dt.timedelta(days=50), 1)]


def test_a_finished_sheet_supplies_what_is_not_shipped_yet(world):
    TaskSheet.objects.update(status="done")
    Task.objects.update(status="done")
    assert [(day, qty) for _m, day, qty, _n in mrp.load_wip(TODAY).supply] == [(TODAY, D(4))]
    assert _suggestions() == []
