"""KPI 3 over production's real line load: planned hours per line over the next 7 days against
the calendar's capacity."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import make_user
from zhongshu.analytics import selectors

production = pytest.importorskip("zhongshu.production.selectors")

pytestmark = pytest.mark.django_db


def test_line_load_matches_the_planned_hours_over_the_calendar_capacity():
    from zhongshu.production.models import LineLoad
    from zhongshu.production.services import work_center_create

    # given two lines and random planned hours from yesterday to two weeks ahead
    rng = random.Random(5)
    admin = make_user("admin")
    lines = [
        work_center_create(actor=admin, code="L1", name="车削线", hours_per_shift=8,
                           shifts_per_day=2),
        work_center_create(actor=admin, code="L2", name="铣削线", hours_per_shift=8,
                           shifts_per_day=1),
    ]  # fmt: skip
    today = timezone.localdate()
    planned = {}
    for wc in lines:
        for offset in range(-1, 14):
            hours = Decimal(rng.randint(0, 200)) / 10
            day = today + dt.timedelta(days=offset)
            LineLoad.objects.create(work_center=wc, day=day, planned_hours=hours)
            planned[wc.pk, day] = hours

    # when the dashboard is computed
    kpi = selectors.dashboard(actor=admin)["line_load"]

    # then each line's figures cover exactly today … today+6
    assert kpi["start"] == today and kpi["end"] == today + dt.timedelta(days=6)
    window = [today + dt.timedelta(days=i) for i in range(7)]
    capacity = {
        wc.pk: sum(
            (r["capacity_hours"] for r in production.line_load(
                actor=admin, start=window[0], end=window[-1]) if r["work_center_id"] == wc.pk),
            Decimal(0),
        )
        for wc in lines
    }  # fmt: skip
    assert [line["code"] for line in kpi["lines"]] == ["L1", "L2"]
    for wc, line in zip(lines, kpi["lines"], strict=True):
        hours = sum(planned[wc.pk, d] for d in window)
        assert Decimal(str(line["planned_hours"])) == hours
        assert Decimal(str(line["capacity_hours"])) == capacity[wc.pk]
        expected = (
            round(float(hours) * 100 / float(capacity[wc.pk]), 1) if capacity[wc.pk] else None
        )
        assert line["load_rate"] == expected
    assert capacity[lines[0].pk] > capacity[lines[1].pk]  # two shifts against one


def test_roles_without_production_get_no_load_card():
    assert selectors.dashboard(actor=make_user("sales"))["line_load"] is None
    assert selectors.dashboard(actor=make_user("finance"))["line_load"] is None
