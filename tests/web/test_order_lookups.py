"""Status look-ups made in the system are counted (the effect report sets them against the time
people used to spend asking by phone)."""

from tests.factories import make_order
from zhongshu.analytics.models import DailyActivity


def _lookups(user) -> int:
    return sum(
        DailyActivity.objects.filter(user=user, kind="order.viewed").values_list("count", flat=True)
    )


def test_opening_an_order_on_the_web_or_the_api_counts_one_look_up_each(
    client_as, api_as, sales_east, sales_north, customer_east
):
    order = make_order(actor=sales_east, customer=customer_east)

    assert client_as(sales_east).get(f"/orders/{order.pk}/").status_code == 200
    assert api_as(sales_east).get(f"/api/v1/orders/{order.pk}").status_code == 200
    # an order the user may not see is not a look-up
    assert api_as(sales_north).get(f"/api/v1/orders/{order.pk}").status_code == 404

    assert _lookups(sales_east) == 2
    assert _lookups(sales_north) == 0
