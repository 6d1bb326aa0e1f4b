"""The single-order use cases cost no more statements than they did before the single and the
bulk paths shared their rules, ladder and guards (a rise here is a regression of the common
path). Creating and submitting do not grow with the lines; confirming reserves stock per line."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MaterialFactory, make_user, put_stock
from zhongshu.orders.services import order_create, order_transition

pytestmark = pytest.mark.django_db

# (create, submit, confirm) by number of lines, measured on the code before the paths were one
BEFORE = {1: (14, 10, 28), 12: (14, 10, 39)}


def _count(fn, **kw):
    with CaptureQueriesContext(connection) as ctx:
        result = fn(**kw)
    return len(ctx.captured_queries), result


@pytest.mark.parametrize("n_lines", [1, 12])
def test_create_submit_confirm_cost_what_they_cost(n_lines, sales_east, customer_east):
    import datetime as dt

    from django.utils import timezone

    planner = make_user("planner")
    materials = [MaterialFactory() for _ in range(n_lines)]
    for material in materials:
        put_stock(material, 100)
    lines = [{"material": m.code, "quantity": "2"} for m in materials]
    due = timezone.localdate() + dt.timedelta(days=20)
    order_create(actor=sales_east, customer="C-EAST", due_date=due, lines=lines)  # warm caches
    created, order = _count(
        order_create, actor=sales_east, customer="C-EAST", due_date=due, lines=lines
    )
    submitted, _o = _count(order_transition, actor=sales_east, order_id=order.pk, action="submit")
    confirmed, _o = _count(order_transition, actor=planner, order_id=order.pk, action="confirm")
    create, submit, confirm = BEFORE[n_lines]
    assert created <= create
    assert submitted <= submit
    assert confirmed <= confirm
