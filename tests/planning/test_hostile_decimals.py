"""Numbers no buyer types on purpose — 1E+999999999, more decimals than kept, NaN, negatives — reach
planning's writes through the one decimal parser: a 422 naming the field, nothing written, never a
500 (quantizing 1E+999999999 used to raise inside the price and quantity checks)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import MaterialFactory, make_user
from zhongshu.planning.models import PurchaseOrder, Supplier, SupplierPrice

pytestmark = pytest.mark.django_db

HOSTILE = ["1E+999999999", "-1E+999999999", "0.00001", "-1", "NaN", "Infinity"]


@pytest.fixture
def buyer(db):
    MaterialFactory(code="BOLT", name="螺栓", kind="raw")
    Supplier.objects.create(code="S-EAST", name="华东钢材")
    return make_user("purchasing")


def _field(r) -> str:
    assert r.status_code == 422, r.content
    body = r.json()
    errors = (body.get("details") or {}).get("errors") or []
    return errors[0]["field"] if errors else body.get("code", "")


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("field", ["price", "tax_rate", "min_order_qty"])
def test_a_supplier_price_with_an_impossible_number_is_refused(buyer, api_as, field, value):
    body = {"supplier": "S-EAST", "material": "BOLT", "price": "2.5", field: value}
    r = api_as(buyer).post("/api/v1/planning/supplier-prices", body)
    assert _field(r) in (field, "validation_error")
    assert not SupplierPrice.objects.exists()


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("field", ["quantity", "unit_price"])
def test_a_purchase_order_with_an_impossible_number_is_refused(buyer, api_as, field, value):
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    body = {"material": "BOLT", "quantity": "10", "due_date": due, "supplier": "S-EAST",
            "unit_price": "2.5", field: value}  # fmt: skip
    r = api_as(buyer).post("/api/v1/planning/purchase-orders", body)
    assert _field(r) in (field, "validation_error")
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize("value", HOSTILE)
def test_a_promise_for_an_impossible_quantity_names_the_line(buyer, api_as, value):
    sales = make_user("sales")
    r = api_as(sales).post(
        "/api/v1/planning/promise", {"lines": [{"material": "BOLT", "quantity": value}]}
    )
    assert _field(r) in ("lines.0.quantity", "lines[0].quantity", "validation_error")
