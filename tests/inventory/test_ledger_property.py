"""Whatever happens to stock, the levels are the sum of the ledger and 0 <= reserved <= on_hand."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import MaterialFactory, make_user, make_warehouse
from tests.inventory.helpers import assert_ledger_matches_levels
from zhongshu.core.errors import DomainError
from zhongshu.inventory import services
from zhongshu.inventory.models import Reservation, StockLevel, StockMovement
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_create, order_transition

CODES = ["PROP-A", "PROP-B"]
QTY = st.sampled_from(["1", "2", "2.5", "0.125", "4", "7"])

step = st.one_of(
    st.tuples(st.just("receive"), st.sampled_from(CODES), QTY),
    st.tuples(st.just("adjust"), st.sampled_from(CODES), QTY, st.booleans()),
    st.tuples(
        st.just("order"),
        st.lists(st.tuples(st.sampled_from(CODES), QTY), min_size=1, max_size=3),
    ),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(st.just("ship_part"), st.integers(0, 5), st.sampled_from(["0.5", "1", "3"])),
    st.tuples(st.just("ship_rest"), st.integers(0, 5)),
    st.tuples(st.just("ship_transition"), st.integers(0, 5)),
)


class Rollback(Exception):
    pass


@pytest.fixture
def cast(db, east, customer_east):
    return {
        "sales": make_user("sales", regions=("华东",)),
        "planner": make_user("planner"),
        "keeper": make_user("warehouse"),
        "customer": customer_east,
    }


def _check():
    assert_ledger_matches_levels()
    for level in StockLevel.objects.all():
        held = Reservation.objects.filter(level=level, status="active").aggregate(s=Sum("quantity"))
        assert level.reserved == (held["s"] or Decimal(0))
    kinds = set(StockMovement.objects.values_list("kind", flat=True))
    assert kinds <= {"receipt", "issue", "adjust", "reserve", "release"}


def _run(cast, steps, initial="10"):
    make_warehouse()
    for code in CODES:
        MaterialFactory(code=code)
        if initial != "0":
            services.stock_receive(actor=cast["keeper"], material=code, quantity=initial)
    orders: list[int] = []
    for s in steps:
        kind = s[0]
        try:
            if kind == "receive":
                services.stock_receive(actor=cast["keeper"], material=s[1], quantity=s[2])
            elif kind == "adjust":
                qty = Decimal(s[2]) * (1 if s[3] else -1)
                services.stock_adjust(
                    actor=cast["keeper"], material=s[1], quantity=qty, reason="盘点"
                )
            elif kind == "order":
                order = order_create(
                    actor=cast["sales"],
                    customer=cast["customer"].code,
                    due_date=_due(),
                    lines=[{"material": c, "quantity": q} for c, q in s[1]],
                )
                order_transition(actor=cast["sales"], order_id=order.pk, action="submit")
                orders.append(order.pk)
                order_transition(actor=cast["planner"], order_id=order.pk, action="confirm")
            elif orders:
                order_id = orders[s[1] % len(orders)]
                if kind == "cancel":
                    order_transition(
                        actor=cast["planner"], order_id=order_id, action="cancel", note="x"
                    )
                elif kind == "ship_part":
                    services.shipment_create(
                        actor=cast["keeper"],
                        order_id=order_id,
                        lines=[{"line_no": 1, "quantity": s[2]}],
                    )
                elif kind == "ship_rest":
                    services.shipment_create(actor=cast["keeper"], order_id=order_id)
                else:
                    order_transition(actor=cast["keeper"], order_id=order_id, action="ship")
        except DomainError:
            pass  # a refusal must leave everything as it was: checked below like any step
        _check()
    for order in Order.objects.filter(pk__in=orders, status="shipped"):
        assert all(line.shipped_quantity == line.quantity for line in order.lines.all())


def _due():
    import datetime as dt

    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=30)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(step, min_size=1, max_size=14),
    initial=st.sampled_from(["0", "10", "25.5"]),
)
def test_levels_always_equal_the_ledger(cast, steps, initial):
    try:
        with transaction.atomic():
            _run(cast, steps, initial)
            raise Rollback
    except Rollback:
        pass
