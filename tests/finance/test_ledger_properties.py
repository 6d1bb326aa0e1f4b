"""Whatever finance does — payments allocated oldest-first, by hand or not at all, credit applied
later, reversals, adjustments, refused inputs — the ledger reconciles:

* balance = receivables − payments + adjustments = outstanding − credit + adjustments;
* every running figure equals the sum of the allocations behind it, within its bounds;
* the reconciliation statement closes on the same balance.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhongshu.core.errors import DomainError
from zhongshu.finance import selectors, services
from zhongshu.finance.amounts import cents
from zhongshu.finance.models import Allocation, Payment, Receivable

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value="0.01", max_value="400", places=2)
signed = st.decimals(min_value="-200", max_value="200", places=2).filter(lambda d: d != 0)
operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("pay"),
            amounts,
            st.sampled_from(["oldest", "none", "manual"]),
            st.lists(st.tuples(st.integers(0, 3), amounts), max_size=3),
        ),
        st.tuples(st.just("reverse"), st.integers(0, 9)),
        st.tuples(st.just("allocate"), st.integers(0, 9)),
        st.tuples(st.just("adjust"), signed),
    ),
    max_size=8,
)


@pytest.fixture
def ledger(books, east):
    customer = books.customer(east)
    today = timezone.localdate()
    recs = [
        books.ship(customer, amount=a, due_on=today - dt.timedelta(days=d))
        for a, d in (("100", 70), ("250.50", 40), ("80", 5), ("30", -20))
    ]
    return customer, recs


def _run(clerk, customer, recs, ops) -> None:
    today = timezone.localdate()
    for i, op in enumerate(ops):
        payments = list(Payment.objects.filter(customer=customer, kind="payment").order_by("id"))
        try:
            if op[0] == "pay":
                _kind, amount, mode, manual = op
                allocations = {
                    "oldest": None,
                    "none": [],
                    "manual": [{"receivable_id": recs[r].pk, "amount": str(a)} for r, a in manual],
                }[mode]
                services.payment_create(
                    actor=clerk,
                    customer=customer.code,
                    reference=f"BANK-{i}",
                    amount=str(amount),
                    received_on=today,
                    allocations=allocations,
                )
            elif op[0] == "reverse" and payments:
                p = payments[op[1] % len(payments)]
                services.payment_reverse(actor=clerk, payment_id=p.pk, reason="wrong")
            elif op[0] == "allocate" and payments:
                p = payments[op[1] % len(payments)]
                services.payment_allocate(actor=clerk, payment_id=p.pk)
            elif op[0] == "adjust":
                services.adjustment_create(
                    actor=clerk,
                    customer=customer.code,
                    amount=str(op[1]),
                    made_on=today,
                    reason="note",
                )
        except DomainError:
            pass  # refused: the checks below prove nothing half-written stayed


def _sum(qs, field="amount") -> Decimal:
    # the ledger's own rule for sums: in cents (SQLite sums decimals as floats)
    return cents(qs.aggregate(s=Sum(field))["s"])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_allocations_and_balances_always_reconcile(ledger, clerk, ops):
    customer, recs = ledger
    with transaction.atomic():
        # when any sequence of finance operations is run
        _run(clerk, customer, recs, ops)

        # then the balance is receivables − payments + adjustments, and equally outstanding − credit
        b = selectors.balance_get(actor=clerk, code=customer.code)
        receivables = Receivable.objects.filter(customer=customer)
        payments = Payment.objects.filter(customer=customer)
        assert b.billed == _sum(receivables) == Decimal("460.50")
        assert b.paid == _sum(payments)
        assert b.balance == b.billed - b.paid + b.adjusted
        assert b.balance == b.outstanding - b.credit + b.adjusted
        assert b.outstanding == _sum(receivables) - _sum(receivables, "allocated")

        # and every running figure is the sum of its allocations, within its bounds
        for rec in receivables:
            assert rec.allocated == _sum(Allocation.objects.filter(receivable=rec))
            assert 0 <= rec.allocated <= rec.amount
        for p in payments:
            assert p.allocated == _sum(Allocation.objects.filter(payment=p))
            if p.kind == "payment":
                assert 0 <= p.allocated <= p.amount
            else:  # a reversal nets its original to zero
                assert (p.amount, p.allocated) == (-p.reverses.amount, -p.reverses.allocated)
        assert _sum(payments.filter(reversal__isnull=True, kind="payment")) == b.paid

        # and the statement of the whole history closes on the same balance
        today = timezone.localdate()
        period = selectors.clean_period(
            customer=customer.code, start=today - dt.timedelta(days=30), end=today
        )
        assert selectors.reconciliation(actor=clerk, period=period).closing_balance == b.balance
        transaction.set_rollback(True)
