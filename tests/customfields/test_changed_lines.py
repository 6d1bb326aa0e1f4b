"""A line added to a released order by an approved change carries its custom values, as a line
added on creation or in an edit does (one line builder for every path)."""

import pytest

from tests.factories import MaterialFactory, make_order, put_stock
from zhongshu.orders.services import order_apply_change

pytestmark = pytest.mark.django_db


def test_a_line_added_by_an_approved_change_keeps_its_custom_values(
    define, admin_user, sales_east, customer_east
):
    define("order_line", "heat_no", "text", label_zh="炉号")
    first, added = MaterialFactory(), MaterialFactory()
    put_stock(first, 10)
    put_stock(added, 10)
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": first.code, "quantity": "1", "custom": {"heat_no": "H-1"}}],
        status="confirmed",
    )

    order_apply_change(
        actor=admin_user,
        order_id=order.pk,
        changes={
            "lines": [{"material": added.code, "quantity": "2", "custom": {"heat_no": "H-2"}}]
        },
    )

    assert [
        (ln.material.code, ln.custom)
        for ln in order.lines.select_related("material").order_by("line_no")
    ] == [(first.code, {"heat_no": "H-1"}), (added.code, {"heat_no": "H-2"})]
