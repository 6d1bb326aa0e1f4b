"""Receivables: one per shipment, the statement's amount, due per payment terms, written by the
ship transition, by the sync for partial shipments, and by the backfill command."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_order
from zhongshu.finance.models import Receivable
from zhongshu.finance.receivables import due_date, sync
from zhongshu.finance.selectors import Period, reconciliation
from zhongshu.inventory.services import shipment_create
from zhongshu.orders import hooks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "terms, shipped, due",
    [
        ("prepaid", dt.date(2026, 3, 15), dt.date(2026, 3, 15)),
        ("cod", dt.date(2026, 3, 15), dt.date(2026, 3, 15)),
        ("net30", dt.date(2026, 3, 15), dt.date(2026, 4, 30)),
        ("net60", dt.date(2026, 1, 31), dt.date(2026, 4, 1)),
        ("net90", dt.date(2026, 2, 1), dt.date(2026, 5, 29)),  # Feb 28 + 90 days
        ("net30", dt.date(2024, 2, 29), dt.date(2024, 3, 30)),
    ],
)
def test_due_date_follows_the_payment_terms(terms, shipped, due):
    # given a shipping day and the order's terms; then the due date is the documented rule
    assert due_date(terms, shipped) == due


def test_a_full_shipment_writes_its_receivable_with_the_statement_amount(books, east, clerk):
    # given an order of 1 × 100.00 at 13% tax, monthly statement 60 days
    customer = books.customer(east)

    # when it is shipped in full
    rec = books.ship(customer, amount="100", tax_rate="13", payment_terms="net60")

    # then its receivable carries 113.00, due 60 days after the shipping month ends
    today = timezone.localdate()
    assert rec.amount == Decimal("113.00")
    assert rec.customer_id == customer.pk and rec.allocated == 0
    assert rec.issued_on == today
    assert rec.due_on == due_date("net60", today)
    st = reconciliation(actor=clerk, period=Period(customer.code, today, today))
    assert st.shipped_total == rec.amount


def test_the_ship_hook_is_registered():
    # then finance listens to the ship transition's effects, after inventory
    effects = hooks.registered()["effect"]["ship"]
    assert "zhongshu.finance.hooks.receivables_on_ship" in effects
    assert effects.index("zhongshu.finance.hooks.receivables_on_ship") > effects.index(
        "zhongshu.inventory.hooks.ship_remaining_on_ship"
    )


def test_partial_shipments_get_theirs_when_shipped(books, east, clerk):
    # given an order of 10 shipped in two parts (the order is not fully shipped after the first)
    customer = books.customer(east)
    order = make_order(
        actor=books.admin,
        customer=customer,
        lines=[{"material": books.material.code, "quantity": "10", "unit_price": "3"}],
        status="confirmed",
        tax_rate="0",
    )
    first = shipment_create(
        actor=books.keeper, order_id=order.pk, lines=[{"line_no": 1, "quantity": "4"}]
    )
    # then the partial shipment has its receivable as soon as it is written
    assert Receivable.objects.get(shipment=first).amount == Decimal("12.00")

    # when finance reads the receivables
    from zhongshu.finance.selectors import receivable_list

    rows = list(receivable_list(actor=clerk, customer=customer.code))

    # then the partial shipment's receivable is listed; shipping the rest adds the second
    assert [(r.shipment_id, r.amount) for r in rows] == [(first.pk, Decimal("12.00"))]
    second = shipment_create(actor=books.keeper, order_id=order.pk)
    assert Receivable.objects.get(shipment=second).amount == Decimal("18.00")
    assert sync() == 0


def test_a_missing_receivable_is_written_by_the_job_not_by_a_read(books, east, clerk):
    # given a shipment whose receivable is missing (shipped before finance existed)
    from zhongshu.core import jobs
    from zhongshu.finance.selectors import balance_list, receivable_list

    customer = books.customer(east)
    shipment = books.ship(customer).shipment
    Receivable.objects.filter(shipment=shipment).delete()

    # when finance reads receivables and balances
    assert list(receivable_list(actor=clerk, customer=customer.code)) == []
    list(balance_list(actor=clerk))

    # then the reads wrote nothing; the periodic job writes it
    assert not Receivable.objects.filter(shipment=shipment).exists()
    job = next(j for j in jobs.registered() if j.name == "finance.sync_receivables")
    assert job.func() == 1
    assert Receivable.objects.filter(shipment=shipment).count() == 1


def test_the_backfill_command_is_idempotent(books, east):
    # given two shipments whose receivables are missing (shipped before finance existed)
    customer = books.customer(east)
    a, b = books.ship(customer), books.ship(customer)
    Receivable.objects.filter(pk__in=[a.pk, b.pk]).delete()

    # when the backfill runs twice
    out1, out2 = StringIO(), StringIO()
    call_command("finance_sync_receivables", stdout=out1)
    call_command("finance_sync_receivables", stdout=out2)

    # then both are back once
    assert "2 receivable" in out1.getvalue() and "0 receivable" in out2.getvalue()
    assert Receivable.objects.filter(customer=customer).count() == 2
