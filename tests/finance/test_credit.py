"""Credit control: a customer over the credit limit, or with receivables overdue beyond N days,
makes confirming an order need an approval. Finance plugs in through the approvals requirements
registry; orders knows nothing of finance."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import make_order
from zhongshu.approvals import requirements
from zhongshu.approvals import services as approvals
from zhongshu.approvals.exceptions import ApprovalRequired
from zhongshu.finance import credit, services
from zhongshu.orders.services import order_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(books):
    return approvals.flow_create(
        actor=books.admin,
        data={
            "name": "credit",
            "kinds": ["credit"],
            "steps": [{"name": "finance", "role": "finance", "users": [], "mode": "any",
                       "when": "always", "condition": {}}],
        },
    )  # fmt: skip


def _pending(books, customer, amount="500"):
    return make_order(
        actor=books.admin,
        customer=customer,
        lines=[{"material": books.material.code, "quantity": "1", "unit_price": amount}],
        status="pending_review",
        tax_rate="0",
    )


def test_the_credit_check_is_registered_with_approvals():
    assert requirements.registered()["credit"].check is credit.check


def test_within_limit_and_nothing_overdue_needs_no_approval(books, east, clerk, flow):
    customer = books.customer(east)
    books.ship(customer, amount="300")
    services.credit_set(actor=clerk, customer=customer.code, credit_limit="1000")
    order = _pending(books, customer, amount="500")

    # 300 owed + 500 ordered ≤ 1000: confirming goes through
    assert credit.check(order) is None
    order = order_transition(actor=books.admin, order_id=order.pk, action="confirm")
    assert order.status == "confirmed"


def test_over_the_limit_blocks_confirmation_until_approved(books, east, clerk, flow):
    # given a customer owing 600 with a limit of 1000
    customer = books.customer(east)
    books.ship(customer, amount="600")
    services.credit_set(actor=clerk, customer=customer.code, credit_limit="1000")
    order = _pending(books, customer, amount="500")

    # when an order of 500 is confirmed
    with pytest.raises(ApprovalRequired) as err:
        order_transition(actor=books.admin, order_id=order.pk, action="confirm")

    # then it needs a credit approval, naming the exposure and the limit
    assert err.value.details["kinds"] == ["credit"]
    assert "1,100.00" in err.value.details["reasons"][0]
    order.refresh_from_db()
    assert order.status == "pending_review"


def test_a_payment_brings_the_customer_back_within_the_limit(books, east, clerk, flow):
    customer = books.customer(east)
    books.ship(customer, amount="600")
    services.credit_set(actor=clerk, customer=customer.code, credit_limit="1000")
    order = _pending(books, customer, amount="500")
    assert credit.check(order)

    services.payment_create(
        actor=clerk,
        customer=customer.code,
        reference="B-1",
        amount="200",
        received_on=timezone.localdate(),
    )

    assert credit.check(order) is None


def test_receivables_overdue_beyond_n_days_block_confirmation(books, east, clerk, flow):
    # given an unpaid receivable 31 days past due and the default of 30 days
    customer = books.customer(east)
    today = timezone.localdate()
    books.ship(customer, amount="50", due_on=today - dt.timedelta(days=31))
    order = _pending(books, customer)

    # then confirming needs approval (no limit is set: only the overdue rule applies)
    reasons = credit.reasons_for(customer)
    assert len(reasons) == 1 and "30" in reasons[0] and "50.00" in reasons[0]
    with pytest.raises(ApprovalRequired):
        order_transition(actor=books.admin, order_id=order.pk, action="confirm")

    # when this customer is allowed 45 days, it is fine again
    services.credit_set(actor=clerk, customer=customer.code, overdue_days="45")
    assert credit.reasons_for(customer) == []


def test_without_a_credit_flow_nothing_is_blocked(books, east, clerk):
    customer = books.customer(east)
    books.ship(customer, amount="600")
    services.credit_set(actor=clerk, customer=customer.code, credit_limit="100")
    order = _pending(books, customer)

    order = order_transition(actor=books.admin, order_id=order.pk, action="confirm")
    assert order.status == "confirmed"


def test_credit_settings_through_the_api(books, east, clerk, api_as):
    customer = books.customer(east)
    books.ship(customer, amount="600")
    api = api_as(clerk)

    r = api._call("put", f"/api/v1/finance/credit/{customer.code}", {"credit_limit": "500"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert Decimal(body["credit_limit"]) == 500 and Decimal(body["balance"]) == 600
    assert len(body["reasons"]) == 1

    r = api._call("put", f"/api/v1/finance/credit/{customer.code}", {"credit_limit": "-1"})
    assert r.status_code == 422
