import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import CustomerFactory, MaterialFactory, make_order, make_user, make_warehouse
from tests.factories import put_stock as _put_stock
from zhongshu.finance.models import Receivable
from zhongshu.inventory.services import shipment_create


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def keeper(db):
    make_warehouse()
    return make_user("warehouse", username="keeper")


@pytest.fixture
def clerk(db):
    return make_user("finance", username="clerk")


class Books:
    """Builds shipped orders (and so receivables) for finance scenarios."""

    def __init__(self, keeper):
        self.keeper = keeper
        self.admin = make_user("admin")
        self.material = MaterialFactory(fulfilment="stock")
        _put_stock(self.material, "1000000", actor=keeper)

    def customer(self, region, **kw):
        return CustomerFactory(region=region, **kw)

    def ship(
        self,
        customer,
        *,
        amount="100",
        tax_rate="0",
        payment_terms="net30",
        due_on: dt.date | None = None,
    ) -> Receivable:
        """One order of one line (1 × ``amount``) shipped in full; its receivable, with the
        due date moved to ``due_on`` when given."""
        order = make_order(
            actor=self.admin,
            customer=customer,
            lines=[{"material": self.material.code, "quantity": "1", "unit_price": str(amount)}],
            status="confirmed",
            tax_rate=tax_rate,
            payment_terms=payment_terms,
        )
        shipment = shipment_create(actor=self.keeper, order_id=order.pk)
        rec = Receivable.objects.get(shipment=shipment)
        if due_on is not None:
            Receivable.objects.filter(pk=rec.pk).update(due_on=due_on)
            rec.refresh_from_db()
        return rec


@pytest.fixture
def books(keeper):
    return Books(keeper)


def D(value) -> Decimal:
    return Decimal(str(value))
