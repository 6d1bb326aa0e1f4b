"""Idempotency-Key on POST /orders and gapless order numbers, also under concurrency."""

import datetime as dt
import functools

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import MaterialFactory
from tests.support.threads import failures, race
from zhongshu.core.models import IdempotencyRecord
from zhongshu.orders.models import Order, OrderNumberSequence
from zhongshu.orders.services import order_create

DUE = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
YEAR = timezone.localdate().year


def _payload(qty=2):
    return {
        "customer": "C-EAST",
        "due_date": DUE,
        "lines": [{"material": "M-IDEM", "quantity": qty}],
    }


@pytest.mark.django_db
def test_a_replay_returns_the_same_order_and_creates_nothing(api_as, sales_east, customer_east):
    MaterialFactory(code="M-IDEM")
    api = api_as(sales_east)
    first = api.post("/api/v1/orders", _payload(), headers={"Idempotency-Key": "abc-1"})
    again = api.post("/api/v1/orders", _payload(), headers={"Idempotency-Key": "abc-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Order.objects.count() == 1
    # a different key is a different order
    other = api.post("/api/v1/orders", _payload(), headers={"Idempotency-Key": "abc-2"})
    assert other.json()["id"] != first.json()["id"]
    assert Order.objects.count() == 2


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(api_as, sales_east, customer_east):
    MaterialFactory(code="M-IDEM")
    api = api_as(sales_east)
    assert (
        api.post("/api/v1/orders", _payload(2), headers={"Idempotency-Key": "k"}).status_code == 201
    )
    r = api.post("/api/v1/orders", _payload(3), headers={"Idempotency-Key": "k"})
    assert r.status_code == 409
    assert r.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_request_does_not_keep_its_key(api_as, sales_east, customer_east):
    MaterialFactory(code="M-IDEM")
    api = api_as(sales_east)
    bad = api.post("/api/v1/orders", _payload(0), headers={"Idempotency-Key": "k"})
    assert bad.status_code == 422
    assert IdempotencyRecord.objects.count() == 0
    good = api.post("/api/v1/orders", _payload(0), headers={"Idempotency-Key": "k"})
    assert good.status_code == 422  # still the same answer, computed again
    r = api.post("/api/v1/orders", _payload(1), headers={"Idempotency-Key": "k"})
    assert r.status_code == 201


@pytest.mark.django_db
def test_a_rolled_back_creation_does_not_burn_a_number(sales_east, customer_east):
    MaterialFactory(code="M-IDEM")
    MaterialFactory(code="M-HUGE", standard_price="999999999999")
    first = order_create(
        actor=sales_east,
        customer="C-EAST",
        due_date=DUE,
        lines=[{"material": "M-IDEM", "quantity": 1}],
    )
    # every line fits but the total does not: refused after the number was drawn
    with pytest.raises(Exception) as exc:
        order_create(
            actor=sales_east,
            customer="C-EAST",
            due_date=DUE,
            lines=[{"material": "M-HUGE", "quantity": "99"}] * 2,
        )
    assert getattr(exc.value, "code", None) == "validation_error"
    second = order_create(
        actor=sales_east,
        customer="C-EAST",
        due_date=DUE,
        lines=[{"material": "M-IDEM", "quantity": 1}],
    )
    assert (first.number, second.number) == (f"SO-{YEAR}-000001", f"SO-{YEAR}-000002")
    assert OrderNumberSequence.objects.get(year=YEAR).last_value == 2


# --- concurrency (PostgreSQL: real parallel transactions) ----------------------------------------

needs_pg = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="parallel writers need PostgreSQL"
)


def _in_threads(n, fn):
    outcomes = race(*(functools.partial(fn, i) for i in range(n)), timeout=60)
    return [o for o in outcomes if not isinstance(o, BaseException)], failures(outcomes)


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_exactly_one_order(api_as, sales_east, customer_east):
    MaterialFactory(code="M-IDEM")
    api = api_as(sales_east)
    headers = api.headers

    def post(_i):
        from django.test import Client

        r = Client().post(
            "/api/v1/orders",
            _payload(),
            content_type="application/json",
            headers={**headers, "Idempotency-Key": "same"},
        )
        return r.status_code, r.json()["id"]

    results, errors = _in_threads(8, post)
    assert errors == []
    assert len(results) == 8
    assert {status for status, _ in results} == {201}
    assert len({order_id for _, order_id in results}) == 1
    assert Order.objects.count() == 1


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_get_unique_gapless_numbers(sales_east, customer_east):
    MaterialFactory(code="M-IDEM")

    def create(_i):
        return order_create(
            actor=sales_east,
            customer="C-EAST",
            due_date=DUE,
            lines=[{"material": "M-IDEM", "quantity": 1}],
        ).number

    results, errors = _in_threads(12, create)
    assert errors == []
    assert sorted(results) == [f"SO-{YEAR}-{i:06d}" for i in range(1, 13)]
    assert OrderNumberSequence.objects.get(year=YEAR).last_value == 12
