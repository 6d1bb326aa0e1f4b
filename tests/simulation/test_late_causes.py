"""Every late order of a simulated month is put down to one cause, and the causes add up to the
late rate (the breakdown docs/outcome.md reports)."""

import pytest

from zhongshu.analytics.simulation import metrics, model
from zhongshu.analytics.simulation.fast_after import FastAfter
from zhongshu.analytics.simulation.floor import run

pytestmark = pytest.mark.django_db

CAUSES = ["cause_part_after", "cause_part_work", "cause_rush", "cause_queue"]


def test_the_late_orders_split_into_causes_that_add_up():
    factory = model.build_factory(model.calibrate_scale(model.Params()))
    params = model.Params(seed=4, days=8, tail_days=20, asked_days=4.5, shortage_share=0.4)
    demand = model.make_demand(params, factory)
    summary = metrics.summarize(run(demand, FastAfter(params)))
    assert summary["late_rate"] > 0
    assert sum(summary[c] for c in CAUSES) == pytest.approx(summary["late_rate"])
    # with the part bought at entry and an honest promise, the parts are what is left
    assert summary["cause_part_after"] > summary["cause_queue"]
    assert summary["late_vs_promise"] < summary["late_rate"]


def test_customers_ask_in_working_days_of_the_cn_calendar():
    import datetime as dt

    from zhongshu.production.calendar import is_national_working_day

    # an order placed on the Thursday before the 2027 Spring Festival holiday (5–10 Feb) asking
    # for a week (5 working days) is asked for the same working time after it, not in it
    asked = model.asked_date(dt.date(2027, 2, 4), 10 * 60, 7.0)
    assert asked > dt.date(2027, 2, 11)
    assert is_national_working_day(asked)
    assert model.add_working_days(dt.date(2026, 12, 4), 1) == dt.date(2026, 12, 7)  # Fri → Mon
