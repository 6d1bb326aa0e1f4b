"""Ageing buckets on hand-computed data: days past due on the report day, a receivable due that
day is 0 days past due; partly paid receivables count with what is still open."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from zhongshu.finance import selectors, services

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def aged(books, east, clerk):
    customer = books.customer(east)
    due = {  # days past due on AS_OF → amount
        -10: "1000",  # not yet due
        0: "1",  # due today: 0–30
        30: "2",  # 0–30
        31: "4",  # 31–60
        60: "8",  # 31–60
        61: "16",  # 61–90
        90: "32",  # 61–90
        91: "64",  # over 90
        400: "128",  # over 90, partly paid below
    }
    recs = {
        d: books.ship(customer, amount=a, due_on=AS_OF - dt.timedelta(days=d))
        for d, a in due.items()
    }
    services.payment_create(
        actor=clerk,
        customer=customer.code,
        reference="B-1",
        amount="100",
        received_on=timezone.localdate(),
        allocations=[{"receivable_id": recs[400].pk, "amount": "100"}],
    )
    return customer


def test_each_receivable_lands_in_its_bucket(aged, clerk):
    report = selectors.ageing(actor=clerk, customer=aged.code, as_of=AS_OF)

    assert {k: v for k, v in report.items() if k != "as_of"} == {
        "not_due": Decimal("1000"),
        "d0_30": Decimal("3"),
        "d31_60": Decimal("12"),
        "d61_90": Decimal("48"),
        "d90_plus": Decimal("92"),  # 64 + (128 − 100)
        "total": Decimal("1155"),
    }


def test_the_api_gives_the_same_buckets_per_customer(aged, clerk, api_as):
    r = api_as(clerk).get("/api/v1/finance/ageing", {"customer": aged.code, "as_of": "2026-06-30"})

    assert r.status_code == 200, r.content
    body = r.json()
    buckets = ("not_due", "d0_30", "d31_60", "d61_90", "d90_plus", "total")
    assert [Decimal(body[k]) for k in buckets] == [1000, 3, 12, 48, 92, 1155]
    assert [c["code"] for c in body["customers"]] == [aged.code]
    assert [Decimal(body["customers"][0][k]) for k in buckets] == [1000, 3, 12, 48, 92, 1155]


def test_a_bad_report_day_is_a_422(clerk, api_as):
    r = api_as(clerk).get("/api/v1/finance/ageing", {"as_of": "30/06/2026"})
    assert r.status_code == 422
