"""Payments: partial, over-payment (credit), oldest-first allocation, manual allocation with every
problem reported at once, later allocation of credit, reversal, idempotency, duplicates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from zhongshu.core.errors import ValidationFailed
from zhongshu.finance import selectors, services
from zhongshu.finance.exceptions import AlreadyReversed, DuplicatePayment, NotReversible
from zhongshu.finance.models import Allocation, Payment, Receivable

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def pay(clerk, customer, amount, reference="BANK-1", allocations=None, **kw):
    return services.payment_create(
        actor=clerk,
        customer=customer.code,
        reference=reference,
        amount=amount,
        received_on=timezone.localdate(),
        allocations=allocations,
        **kw,
    )


def balance(clerk, customer):
    return selectors.balance_get(actor=clerk, code=customer.code)


def test_a_partial_payment_leaves_the_rest_outstanding(books, east, clerk):
    # given a receivable of 100
    customer = books.customer(east)
    rec = books.ship(customer, amount="100")

    # when 40 is paid against it
    pay(clerk, customer, "40", allocations=[{"receivable_id": rec.pk, "amount": "40"}])

    # then 60 is outstanding and the balance is 60, with no credit
    rec.refresh_from_db()
    assert (rec.allocated, rec.outstanding) == (Decimal("40"), Decimal("60"))
    b = balance(clerk, customer)
    assert (b.billed, b.paid, b.balance, b.outstanding, b.credit) == (100, 40, 60, 60, 0)


def test_an_over_payment_becomes_credit_and_can_be_applied_later(books, east, clerk):
    # given a receivable of 100
    customer = books.customer(east)
    first = books.ship(customer, amount="100")

    # when 150 arrives and is applied oldest-first
    payment = pay(clerk, customer, "150")

    # then the receivable is paid and 50 stays as credit: the balance is −50
    first.refresh_from_db()
    assert first.outstanding == 0
    b = balance(clerk, customer)
    assert (b.balance, b.outstanding, b.credit) == (Decimal("-50"), 0, Decimal("50"))

    # when a new shipment of 80 is billed and the credit is applied to it
    second = books.ship(customer, amount="80")
    services.payment_allocate(actor=clerk, payment_id=payment.pk)

    # then 50 of it is paid and the customer owes 30
    second.refresh_from_db()
    assert second.allocated == Decimal("50")
    b = balance(clerk, customer)
    assert (b.balance, b.outstanding, b.credit) == (Decimal("30"), Decimal("30"), 0)


def test_oldest_due_first_when_no_allocation_is_given(books, east, clerk):
    # given three receivables due on different days
    customer = books.customer(east)
    late = books.ship(customer, amount="30", due_on=TODAY() - dt.timedelta(days=40))
    later = books.ship(customer, amount="30", due_on=TODAY() + dt.timedelta(days=10))
    oldest = books.ship(customer, amount="30", due_on=TODAY() - dt.timedelta(days=70))

    # when 45 arrives without allocations
    pay(clerk, customer, "45")

    # then the oldest is paid, the next half, the newest nothing
    got = {r.pk: r.allocated for r in Receivable.objects.filter(customer=customer)}
    assert got == {oldest.pk: 30, late.pk: 15, later.pk: 0}


def test_bad_allocations_are_all_reported_and_nothing_is_written(books, east, north, clerk):
    # given a receivable of 100 and another customer's receivable
    customer = books.customer(east)
    rec = books.ship(customer, amount="100")
    foreign = books.ship(books.customer(north), amount="100")

    # when the allocation is more than owed, names a foreign receivable, and a bad amount
    with pytest.raises(ValidationFailed) as err:
        pay(
            clerk,
            customer,
            "500",
            allocations=[
                {"receivable_id": rec.pk, "amount": "120"},
                {"receivable_id": foreign.pk, "amount": "10"},
                {"receivable_id": rec.pk, "amount": "abc"},
            ],
        )

    # then every problem is named and no payment exists
    fields = {e["field"] for e in err.value.errors}
    assert fields == {
        "allocations.0.amount",
        "allocations.1.receivable_id",
        "allocations.2.receivable_id",
        "allocations.2.amount",
    }
    assert not Payment.objects.exists() and not Allocation.objects.exists()


def test_allocations_beyond_the_payment_are_refused(books, east, clerk):
    # given two receivables of 100
    customer = books.customer(east)
    a, b = books.ship(customer, amount="100"), books.ship(customer, amount="100")

    # when 150 is to cover 100 + 100
    with pytest.raises(ValidationFailed) as err:
        pay(
            clerk,
            customer,
            "150",
            allocations=[
                {"receivable_id": a.pk, "amount": "100"},
                {"receivable_id": b.pk, "amount": "100"},
            ],
        )

    # then it is refused as a whole
    assert [e["field"] for e in err.value.errors] == ["allocations"]
    assert Receivable.objects.filter(allocated__gt=0).count() == 0


def test_a_reversal_undoes_the_payment_and_its_allocations(books, east, clerk):
    # given a paid receivable (100 of 150 received, 50 credit)
    customer = books.customer(east)
    rec = books.ship(customer, amount="100")
    payment = pay(clerk, customer, "150")

    # when the payment is reversed
    reversal = services.payment_reverse(actor=clerk, payment_id=payment.pk, reason="wrong customer")

    # then the original is untouched, a negative entry undoes it, the receivable is open again
    payment.refresh_from_db()
    rec.refresh_from_db()
    assert (payment.amount, payment.allocated) == (Decimal("150"), Decimal("100"))
    assert (reversal.amount, reversal.allocated, reversal.reverses_id) == (
        Decimal("-150"),
        Decimal("-100"),
        payment.pk,
    )
    assert rec.allocated == 0
    b = balance(clerk, customer)
    assert (b.paid, b.balance, b.outstanding, b.credit) == (0, 100, 100, 0)

    # and neither can be reversed again, nor can the reversed payment be allocated
    with pytest.raises(AlreadyReversed):
        services.payment_reverse(actor=clerk, payment_id=payment.pk, reason="again")
    with pytest.raises(NotReversible):
        services.payment_reverse(actor=clerk, payment_id=reversal.pk, reason="again")
    with pytest.raises(AlreadyReversed):
        services.payment_allocate(actor=clerk, payment_id=payment.pk)


def test_a_reversal_needs_a_reason(books, east, clerk):
    customer = books.customer(east)
    payment = pay(clerk, customer, "10")
    with pytest.raises(ValidationFailed):
        services.payment_reverse(actor=clerk, payment_id=payment.pk, reason=" ")
    assert Payment.objects.count() == 1


def test_the_same_bank_reference_twice_is_a_conflict_until_reversed(books, east, clerk):
    # given a payment BANK-7
    customer = books.customer(east)
    first = pay(clerk, customer, "10", reference="BANK-7")

    # then recording it again is refused; after reversing it, the corrected one is accepted
    with pytest.raises(DuplicatePayment):
        pay(clerk, customer, "10", reference="BANK-7")
    services.payment_reverse(actor=clerk, payment_id=first.pk, reason="amount was 12")
    pay(clerk, customer, "12", reference="BANK-7")
    assert balance(clerk, customer).paid == Decimal("12")


def test_payment_input_errors_are_listed_together(east, clerk):
    with pytest.raises(ValidationFailed) as err:
        services.payment_create(
            actor=clerk,
            customer="NO-SUCH",
            reference="",
            amount="-5",
            received_on=(timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        )
    assert {e["field"] for e in err.value.errors} == {
        "customer",
        "reference",
        "amount",
        "received_on",
    }


def test_post_payments_is_idempotent(books, east, clerk, api_as):
    # given a receivable and a finance API client
    customer = books.customer(east)
    rec = books.ship(customer, amount="100")
    api = api_as(clerk)
    body = {
        "customer": customer.code,
        "reference": "BANK-IDEM",
        "amount": "60",
        "received_on": timezone.localdate().isoformat(),
        "allocations": [{"receivable_id": rec.pk, "amount": "60"}],
    }

    # when the same POST is sent twice with one key, and a different body with the same key
    r1 = api.post("/api/v1/finance/payments", body, headers={"Idempotency-Key": "k-1"})
    r2 = api.post("/api/v1/finance/payments", body, headers={"Idempotency-Key": "k-1"})
    r3 = api.post(
        "/api/v1/finance/payments", {**body, "amount": "61"}, headers={"Idempotency-Key": "k-1"}
    )

    # then one payment exists, the retry got the same answer, the changed body is refused
    assert r1.status_code == 201, r1.content
    assert r2.status_code == 201 and r2.json() == r1.json()
    assert r3.status_code == 409
    assert Payment.objects.count() == 1
    assert r1.json()["allocations"] == [
        {"receivable_id": rec.pk, "shipment_number": rec.shipment.number, "amount": "60.00"}
    ]


def test_api_reverse_and_422(books, east, clerk, api_as):
    customer = books.customer(east)
    api = api_as(clerk)
    r = api.post(
        "/api/v1/finance/payments",
        {"customer": customer.code, "reference": "R", "amount": "x", "received_on": "bad"},
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["details"]["errors"]} == {"amount", "received_on"}
    payment = pay(clerk, customer, "10")
    r = api.post(f"/api/v1/finance/payments/{payment.pk}/reverse", {"reason": "typo"})
    assert r.status_code == 201, r.content
    assert r.json()["amount"] == "-10.00" and r.json()["reverses_id"] == payment.pk
    r = api.post(f"/api/v1/finance/payments/{payment.pk}/reverse", {"reason": "typo"})
    assert r.status_code == 409 and r.json()["code"] == "already_reversed"


def test_running_figures_and_sums_stay_exact_in_cents(books, east, clerk):
    # given a receivable of 0.30 (cents that floating point cannot hold exactly)
    customer = books.customer(east)
    rec = books.ship(customer, amount="0.30")

    # when it is paid in full as 0.10 + 0.20, then the 0.10 is reversed and paid again
    first = pay(clerk, customer, "0.10", allocations=[{"receivable_id": rec.pk, "amount": "0.10"}])
    pay(
        clerk, customer, "0.20", "BANK-2", allocations=[{"receivable_id": rec.pk, "amount": "0.20"}]
    )
    services.payment_reverse(actor=clerk, payment_id=first.pk, reason="wrong customer")
    pay(
        clerk, customer, "0.10", "BANK-3", allocations=[{"receivable_id": rec.pk, "amount": "0.10"}]
    )

    # then the stored running figure is exactly the amount (the database compares it, not Python)
    assert Receivable.objects.filter(pk=rec.pk, allocated=Decimal("0.30")).exists()
    assert not Receivable.objects.filter(pk=rec.pk, allocated__lt=F("amount")).exists()

    # and the ledger's sums come back in cents, without floating-point noise
    b = balance(clerk, customer)
    figures = (b.billed, b.paid, b.outstanding, b.credit, b.adjusted, b.balance)
    assert figures == (Decimal("0.30"), Decimal("0.30"), 0, 0, 0, 0)
    assert all(f.as_tuple().exponent == -2 for f in figures)
    report = selectors.ageing(actor=clerk, customer=customer.code)
    assert report["total"] == 0 and report["total"].as_tuple().exponent == -2
