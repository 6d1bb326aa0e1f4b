"""The answer to ``POST /orders/{id}/transitions`` is where the order stands after the move and
what the move did (reserved, warnings), not its whole detail page."""

import pytest

from tests.factories import (
    MaterialFactory,
    give_bom,
    make_order,
    make_user,
    make_warehouse,
    put_stock,
)
from zhongshu.inventory.models import Reservation

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse(db):
    return make_warehouse()


@pytest.fixture
def keeper(db):
    return make_user("warehouse", username="keeper")


def test_a_confirmation_answers_status_version_and_what_it_reserved(
    api_as, warehouse, keeper, sales_east, customer_east
):
    bolt, nut = MaterialFactory(code="BOLT"), MaterialFactory(code="NUT")
    put_stock(bolt, 10, actor=keeper)
    put_stock(nut, 10, actor=keeper)
    order = make_order(
        actor=sales_east, customer=customer_east, status="pending_review",
        lines=[{"material": "BOLT", "quantity": "4"}, {"material": "NUT", "quantity": "2.5"}],
    )  # fmt: skip
    r = api_as(make_user("planner")).post(
        f"/api/v1/orders/{order.pk}/transitions", {"action": "confirm", "version": order.version}
    )
    assert r.status_code == 200, r.json()
    assert r.json() == {
        "id": order.pk,
        "number": order.number,
        "status": "confirmed",
        "status_label": "已确认",
        "version": order.version + 1,
        "reserved": [
            {"line_no": 1, "material": "BOLT", "quantity": "4.000"},
            {"line_no": 2, "material": "NUT", "quantity": "2.500"},
        ],
        "warnings": [],
    }


def test_a_make_to_order_confirmation_holds_components_and_answers_no_stock_lines(
    api_as, warehouse, keeper, sales_east, customer_east
):
    """Make lines hold their components (not listed as stock lines); a short component refuses
    the confirmation instead (tests/inventory/test_components.py)."""
    bar = MaterialFactory(code="BAR-20", kind="raw", unit="kg")
    put_stock(bar, 8, actor=keeper)
    pin = MaterialFactory(code="PIN", fulfilment="make")
    give_bom(pin, (bar, "1", "0"))
    order = make_order(
        actor=sales_east, customer=customer_east, status="pending_review",
        lines=[{"material": "PIN", "quantity": "8"}],
    )  # fmt: skip
    r = api_as(make_user("planner")).post(
        f"/api/v1/orders/{order.pk}/transitions", {"action": "confirm"}
    )
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["reserved"], r.json()["warnings"]) == (
        "confirmed", [], []
    )  # fmt: skip
    assert Reservation.objects.get(order=order, for_component=True).quantity == 8


def test_other_moves_answer_without_reservations(api_as, sales_east, customer_east):
    MaterialFactory(code="M-1")
    order = make_order(
        actor=sales_east, customer=customer_east, lines=[{"material": "M-1", "quantity": "1"}]
    )
    r = api_as(sales_east).post(f"/api/v1/orders/{order.pk}/transitions", {"action": "submit"})
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["reserved"], r.json()["warnings"]) == (
        "pending_review", [], []
    )  # fmt: skip


@pytest.mark.parametrize("order_id", ["0", "999999", str(2**63 - 1), str(2**63), str(2**64)])
def test_moving_an_order_that_cannot_exist_is_a_404_and_changes_nothing(
    api_as, sales_east, customer_east, order_id
):
    """The order's lock reads it by id in SQL of its own: an id beyond the column's range is no
    such order (404 in the JSON error shape), not a database error."""
    order = make_order(actor=sales_east, customer=customer_east, status="pending_review")
    r = api_as(make_user("planner")).post(
        f"/api/v1/orders/{order_id}/transitions", {"action": "confirm"}
    )
    assert r.status_code == 404, r.content
    assert r.json()["code"] == "not_found"
    order.refresh_from_db()
    assert order.status == "pending_review"
