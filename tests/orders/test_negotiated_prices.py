"""Negotiated prices belong to the line they were agreed for: a role without the price permission
edits lines (reorders, removes, changes quantities) and every kept line keeps its price; any
change of a kept price by such a role is refused, whatever way the lines are sent."""

from decimal import Decimal

import pytest

from tests.factories import MaterialFactory, make_order, make_user
from zhongshu.core.errors import DomainError
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_update

pytestmark = pytest.mark.django_db

# who edits lines but not prices (the warehouse edits neither)
ROLES = ["planner"]


@pytest.fixture
def negotiated(sales_east, customer_east):
    """Three lines at negotiated prices, two of them of the same material."""
    MaterialFactory(code="M-A", standard_price=Decimal("149.16"))
    MaterialFactory(code="M-B", standard_price=Decimal("20"))
    return make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[
            {"material": "M-A", "quantity": "1", "unit_price": "533.95"},
            {"material": "M-B", "quantity": "2", "unit_price": "17.50"},
            {"material": "M-A", "quantity": "3", "unit_price": "600"},
        ],
    )


def _prices(order_id) -> list[tuple[str, Decimal, Decimal]]:
    order = Order.objects.get(pk=order_id)
    return [
        (ln.material.code, ln.quantity, ln.unit_price)
        for ln in order.lines.select_related("material").order_by("line_no")
    ]


def _state(order_id):
    order = Order.objects.get(pk=order_id)
    return order.version, order.total_amount, _prices(order_id)


def _patch(actor, order, lines):
    return order_update(
        actor=actor,
        order_id=order.pk,
        version=Order.objects.get(pk=order.pk).version,
        data={"lines": lines},
    )


@pytest.mark.parametrize("role", ROLES)
def test_lines_sent_back_in_another_order_keep_their_prices(role, negotiated):
    _patch(
        make_user(role),
        negotiated,
        [
            {"material": "M-B", "quantity": "2"},
            {"material": "M-A", "quantity": "1"},
            {"material": "M-A", "quantity": "3"},
        ],
    )
    assert _prices(negotiated.pk) == [
        ("M-B", Decimal("2.000"), Decimal("17.50")),
        ("M-A", Decimal("1.000"), Decimal("533.95")),
        ("M-A", Decimal("3.000"), Decimal("600.00")),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_removing_one_line_does_not_reprice_the_rest(role, negotiated):
    _patch(
        make_user(role),
        negotiated,
        [{"material": "M-B", "quantity": "2"}, {"material": "M-A", "quantity": "5"}],
    )
    assert _prices(negotiated.pk) == [
        ("M-B", Decimal("2.000"), Decimal("17.50")),
        ("M-A", Decimal("5.000"), Decimal("533.95")),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_a_line_named_by_its_number_keeps_its_own_price(role, negotiated):
    """Two lines of one material: the number says which one is kept."""
    _patch(make_user(role), negotiated, [{"line_no": 3, "material": "M-A", "quantity": "1"}])
    assert _prices(negotiated.pk) == [("M-A", Decimal("1.000"), Decimal("600.00"))]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "lines",
    [
        # the standard price sent for a kept line
        [
            {"material": "M-A", "quantity": "1", "unit_price": "149.16"},
            {"material": "M-B", "quantity": "2"},
            {"material": "M-A", "quantity": "3"},
        ],
        # two kept prices swapped between the lines they belong to
        [
            {"line_no": 1, "material": "M-A", "quantity": "1", "unit_price": "600"},
            {"line_no": 2, "material": "M-B", "quantity": "2"},
            {"line_no": 3, "material": "M-A", "quantity": "3", "unit_price": "533.95"},
        ],
    ],
)
def test_any_change_of_a_kept_price_is_refused(role, lines, negotiated):
    before = _state(negotiated.pk)
    with pytest.raises(DomainError) as exc:
        _patch(make_user(role), negotiated, lines)
    assert (exc.value.code, exc.value.details) == ("forbidden_field", {"fields": ["unit_price"]})
    assert _state(negotiated.pk) == before


def test_an_unknown_line_number_is_refused(negotiated):
    before = _state(negotiated.pk)
    with pytest.raises(DomainError) as exc:
        _patch(make_user("planner"), negotiated, [{"line_no": 9, "material": "M-A", "quantity": 1}])
    assert exc.value.code == "validation_error"
    assert [e["field"] for e in exc.value.errors] == ["lines[0].line_no"]
    assert _state(negotiated.pk) == before


def test_sales_may_still_reprice_a_kept_line(sales_east, negotiated):
    _patch(
        sales_east,
        negotiated,
        [{"line_no": 1, "material": "M-A", "quantity": "1", "unit_price": "149.16"}],
    )
    assert _prices(negotiated.pk) == [("M-A", Decimal("1.000"), Decimal("149.16"))]


@pytest.mark.parametrize("role", ROLES)
def test_api_patch_without_prices_keeps_negotiated_prices(api_as, role, negotiated):
    r = api_as(make_user(role)).patch(
        f"/api/v1/orders/{negotiated.pk}",
        {
            "version": negotiated.version,
            "lines": [
                {"material": "M-B", "quantity": "2"},
                {"line_no": 3, "material": "M-A", "quantity": "3"},
                {"material": "M-A", "quantity": "1"},
            ],
        },
    )
    assert r.status_code == 200, r.json()
    assert [(ln["material"], ln["unit_price"]) for ln in r.json()["lines"]] == [
        ("M-B", "17.50"),
        ("M-A", "600.00"),
        ("M-A", "533.95"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_api_patch_resetting_a_kept_price_is_403(api_as, role, negotiated):
    before = _state(negotiated.pk)
    r = api_as(make_user(role)).patch(
        f"/api/v1/orders/{negotiated.pk}",
        {
            "version": negotiated.version,
            "lines": [
                {"line_no": 1, "material": "M-A", "quantity": "1", "unit_price": "149.16"},
                {"line_no": 2, "material": "M-B", "quantity": "2"},
            ],
        },
    )
    assert r.status_code == 403, r.json()
    assert (r.json()["code"], r.json()["details"]["fields"]) == ("forbidden_field", ["unit_price"])
    assert _state(negotiated.pk) == before
