"""After-sales scenarios run on shipped orders, built the way finance's tests build them."""

import pytest

from tests.factories import make_user
from tests.finance.conftest import Books, fast_password_hashing, keeper  # noqa: F401


@pytest.fixture
def books(keeper):  # noqa: F811
    return Books(keeper)


@pytest.fixture
def shipped(books, east):
    """An order of the eastern customer, shipped in full: (order, shipment)."""
    rec = books.ship(books.customer(east), amount="100")
    return rec.order, rec.shipment


@pytest.fixture
def qc(db):
    return make_user("qc", username="q.qc")
