"""Reads never write: the finance pages, the API lists and the credit check only read what the
shipment listener, the ship hook and the periodic sync wrote."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhongshu.finance import credit
from zhongshu.finance.models import Receivable

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def _writes(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.fixture
def unsynced(books, east):
    """A customer with one receivable and one shipment whose receivable is missing (the case
    the old read-time sync wrote for)."""
    customer = books.customer(east)
    books.ship(customer, amount="100")
    missing = books.ship(customer, amount="40").shipment
    Receivable.objects.filter(shipment=missing).delete()
    return customer


def test_finance_pages_write_nothing(unsynced, clerk, client_as):
    # given a logged-in finance clerk (the login's own writes happen before we listen)
    client = client_as(clerk)
    client.get("/finance/")
    # when every finance page is read
    with CaptureQueriesContext(connection) as ctx:
        for url in ("/finance/", "/finance/balances/", f"/finance/customers/{unsynced.code}/"):
            assert client.get(url).status_code == 200, url
    # then not one row was written
    assert _writes(ctx) == []
    assert Receivable.objects.filter(customer=unsynced).count() == 1


def test_finance_api_reads_write_nothing(unsynced, clerk, api_as):
    api = api_as(clerk)
    api.get("/api/v1/finance/balances")  # the token's first use is behind us
    urls = (
        "/api/v1/finance/receivables",
        "/api/v1/finance/balances",
        f"/api/v1/finance/balances/{unsynced.code}",
        "/api/v1/finance/ageing",
        f"/api/v1/finance/credit/{unsynced.code}",
        "/api/v1/finance/payments",
    )
    with CaptureQueriesContext(connection) as ctx:
        for url in urls:
            assert api.get(url).status_code == 200, url
    assert _writes(ctx) == []
    assert Receivable.objects.filter(customer=unsynced).count() == 1


def test_the_credit_check_writes_nothing(unsynced):
    # when the confirm guard's credit check runs
    with CaptureQueriesContext(connection) as ctx:
        credit.reasons_for(unsynced)
    # then it only read
    assert _writes(ctx) == []
    assert Receivable.objects.filter(customer=unsynced).count() == 1
