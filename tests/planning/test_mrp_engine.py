"""The netting engine on hand-checked multi-level cases (no database: inputs built by hand).

Calendar facts used below (China, 2026): 1–5 May are off (劳动节, 5 May moved from Saturday 9 May,
which is worked instead); March has no holidays.

The product structure of most cases:

    A (made, lead 2 working days) ── 2 × B (made, lead 1) ── 3 × C
                                  └─ 1 × C (bought, lead 5)

C is shared: it is needed directly by A and through B, and must be netted once, after both.
"""

import datetime as dt
from decimal import Decimal as D

import pytest

from zhongshu.planning.calendar import WorkingDays
from zhongshu.planning.mrp import (
    BomCycle,
    Bucket,
    Inputs,
    MaterialInfo,
    lot_size,
    low_level_codes,
    plan,
)

A, B, C, X = 1, 2, 3, 4
TODAY = dt.date(2026, 3, 2)  # a Monday
CAL = WorkingDays(dt.date(2025, 12, 1), dt.date(2026, 12, 31))


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def inputs(*, available=None, receipts=None, demand=None, c_info=None, today=TODAY) -> Inputs:
    materials = {
        A: MaterialInfo("A", 2, D(0)),
        B: MaterialInfo("B", 1, D(0)),
        C: c_info or MaterialInfo("C", 5, D(0)),
    }
    bom = {A: [(B, D(2)), (C, D(1))], B: [(C, D(3))]}
    if demand is None:
        demand = {A: {d("2026-03-20"): Bucket(D(10), [101], 1)}}
    return Inputs(today, materials, bom, available or {}, receipts or {}, demand)


def bought(orders):
    return [
        (o.material_id, o.quantity, o.need_date, o.order_by, o.reason) for o in orders if not o.make
    ]


def test_shared_component_is_netted_once_after_all_parents():
    # given 10 A due Friday 20 March and 5 B in stock
    orders = plan(inputs(available={B: D(5)}), CAL)
    # then A is released 2 working days earlier (Wed 18th) and needs 20 B and 10 C that day;
    # B nets to 15, released Tue 17th, needing 45 C; C is bought once per date, 5 days ahead
    made = [(o.material_id, o.quantity, o.need_date, o.order_by) for o in orders if o.make]
    assert made == [(A, D(10), d("2026-03-20"), d("2026-03-18")),
                    (B, D(15), d("2026-03-18"), d("2026-03-17"))]  # fmt: skip
    assert bought(orders) == [
        (C, D(45), d("2026-03-17"), d("2026-03-10"), "demand"),
        (C, D(10), d("2026-03-18"), d("2026-03-11"), "demand"),
    ]
    assert low_level_codes({A: 0, B: 0, C: 0}, inputs().bom) == {A: 0, B: 1, C: 2}


def test_pegging_follows_the_explosion_down_to_the_order_line():
    orders = plan(inputs(), CAL)
    assert {o.material_id: o.pegs for o in orders} == {A: [101], B: [101], C: [101]}
    assert all(o.peg_count == 1 for o in orders)


def test_existing_supply_and_safety_stock_with_lot_sizing():
    # given 5 B in stock (so 45 C on the 17th, 10 on the 18th) and for C: 20 on hand, safety
    # stock 10, an open PO of 30 due the 17th, minimum order 50 in multiples of 25
    c = MaterialInfo("C", 5, D(10), min_qty=D(50), multiple=D(25))
    supply = {C: {d("2026-03-17"): D(30)}}
    orders = plan(inputs(available={B: D(5), C: D(20)}, receipts=supply, c_info=c), CAL)
    # then on the 17th: 20 + 30 − 45 = 5 on hand, 5 below safety stock → one lot of 50;
    # 18th: 55 − 10 = 45 ≥ 10, nothing more
    assert bought(orders) == [(C, D(50), d("2026-03-17"), d("2026-03-10"), "safety_stock")]
    assert [o.net for o in orders if o.material_id == C] == [D(5)]


def test_a_physical_shortage_is_demand_and_the_lot_covers_it():
    # given no B in stock: 60 C on the 17th; 20 + 30 − 60 = −10 → net 20 up to safety, lot 50
    c = MaterialInfo("C", 5, D(10), min_qty=D(50), multiple=D(25))
    supply = {C: {d("2026-03-17"): D(30)}}
    orders = plan(inputs(available={C: D(20)}, receipts=supply, c_info=c), CAL)
    assert bought(orders) == [(C, D(50), d("2026-03-17"), d("2026-03-10"), "demand")]
    assert [o.net for o in orders if o.material_id == C] == [D(20)]


def test_with_the_same_shortfall_but_no_supply_the_reason_is_demand():
    c = MaterialInfo("C", 5, D(10), min_qty=D(0), multiple=D(25))
    orders = plan(inputs(available={B: D(5), C: D(20)}, c_info=c), CAL)
    # 17th: 10 above safety − 45 = −35 → 50 (two multiples of 25); 18th: 15 − 10 = 5 ≥ 0
    assert bought(orders) == [(C, D(50), d("2026-03-17"), d("2026-03-10"), "demand")]


def test_safety_stock_alone_raises_a_suggestion_today():
    c = MaterialInfo("C", 0, D(10))
    orders = plan(inputs(available={C: D(3)}, demand={}, c_info=c), CAL)
    assert bought(orders) == [(C, D(7), TODAY, TODAY, "safety_stock")]
    assert orders[0].late is False


def test_lead_time_skips_weekends_and_holidays_and_counts_makeup_days():
    cal = CAL
    # Fri 8 May, 3 working days back: Thu 7, Wed 6, then 1–5 May are off → Thu 30 April
    assert cal.back(d("2026-05-08"), 3) == d("2026-04-30")
    # Mon 11 May, 1 back: Saturday 9 May is a make-up working day
    assert cal.back(d("2026-05-11"), 1) == d("2026-05-09")
    # a factory-wide closed day moves the offset further back
    closed = WorkingDays(dt.date(2026, 3, 1), dt.date(2026, 3, 31), {d("2026-03-19"): False})
    assert closed.back(d("2026-03-20"), 2) == d("2026-03-17")


def test_past_due_demand_is_needed_today_and_flagged_late():
    demand = {C: {TODAY: Bucket(D(4), [7], 1)}}
    orders = plan(inputs(demand=demand), CAL)
    [o] = orders
    # 5 working days before Mon 2 March: 27, 26, 25, 24 February and Saturday 28 February,
    # a make-up working day (调休)
    assert (o.quantity, o.need_date, o.order_by, o.late) == (D(4), TODAY, d("2026-02-24"), True)


@pytest.mark.parametrize(
    "net, min_qty, multiple, expected",
    [("7", "0", "0", "7"), ("7", "10", "0", "10"), ("7", "0", "5", "10"),
     ("12", "10", "5", "15"), ("0.3333333", "0", "0", "0.334")],
)  # fmt: skip
def test_lot_sizing_rules(net, min_qty, multiple, expected):
    info = MaterialInfo("M", 0, D(0), min_qty=D(min_qty), multiple=D(multiple))
    assert lot_size(D(net), info) == D(expected)


def test_a_bom_cycle_is_refused():
    with pytest.raises(BomCycle):
        low_level_codes({A: 0, B: 0}, {A: [(B, D(1))], B: [(A, D(1))]})
