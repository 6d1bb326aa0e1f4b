"""Property: for random orders and random conditions, the SQL the scheduled scan runs and the
Python predicate the event check runs pick exactly the same orders."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import CustomerFactory, MaterialFactory, RegionFactory, make_user
from zhongshu.inventory.models import Reservation, StockLevel, Warehouse
from zhongshu.orders.models import Order, OrderLine
from zhongshu.orders.statuses import Channel, OrderStatus, Priority
from zhongshu.rules import compiler
from zhongshu.rules.models import OrderTag

from .conftest import py_ids, sql_ids

TAGS = ["vip", "late"]
TEXTS = ["", "TB", "tb-1", "精工", "a"]
_numbers = itertools.count(1)

qty = st.integers(min_value=0, max_value=30).map(Decimal)
money = st.integers(min_value=0, max_value=500_00).map(lambda c: Decimal(c) / 100)

line_st = st.fixed_dictionaries(
    {"material": st.integers(0, 2), "quantity": st.integers(1, 20), "shipped": st.integers(0, 20),
     "held": st.integers(0, 20)}
)  # fmt: skip
order_st = st.fixed_dictionaries(
    {
        "status": st.sampled_from(OrderStatus.values),
        "priority": st.sampled_from(Priority.values),
        "channel": st.sampled_from(Channel.values),
        "amount": money,
        "due": st.integers(-5, 12),
        "started": st.booleans(),
        "customer": st.integers(0, 2),
        "external_no": st.sampled_from(TEXTS),
        "lines": st.lists(line_st, max_size=3),
        "tags": st.sets(st.sampled_from(TAGS)),
    }
)
stock_st = st.lists(st.tuples(qty, qty), min_size=3, max_size=3)  # (on_hand, reserved) per material


def _value(f: compiler.Field):
    if f.type == compiler.NUMBER:
        if f.integer:
            return st.integers(-6, 13)
        return st.one_of(st.integers(-1, 40), money).map(str)
    if f.type == compiler.DATE:
        return st.integers(-6, 13).map(
            lambda d: (timezone.localdate() + dt.timedelta(d)).isoformat()
        )
    if f.type == compiler.BOOL:
        return st.booleans()
    if f.type == compiler.CHOICE:
        return st.sampled_from([v for v, _l in f.choices])
    if f.type == compiler.TAGS:
        return st.sampled_from([*TAGS, "other"])
    return st.sampled_from([t for t in TEXTS if t] + ["苏州", "C-0", "天津重工"])


@st.composite
def leaf(draw):
    f = draw(st.sampled_from(list(compiler.FIELDS.values())))
    op = draw(st.sampled_from(f.operators))
    if op == "is_null":
        value = draw(st.booleans())
    elif op in ("in", "not_in"):
        value = draw(st.lists(_value(f), min_size=1, max_size=3))
    else:
        value = draw(_value(f))
    return {"field": f.name, "op": op, "value": value}


conditions = st.recursive(
    leaf(),
    lambda children: st.one_of(
        st.lists(children, max_size=3).map(lambda c: {"all": c}),
        st.lists(children, max_size=3).map(lambda c: {"any": c}),
        children.map(lambda c: {"not": c}),
    ),
    max_leaves=6,
)


@pytest.fixture
def pool(db):
    sales = make_user("sales")
    east, north = RegionFactory(name="华东"), RegionFactory(name="华北")
    customers = [
        CustomerFactory(code="C-01", name="苏州精工机械", region=east, tier="key"),
        CustomerFactory(code="C-02", name="天津重工", region=north, tier="regular"),
        CustomerFactory(code="C-03", name="TB shop", region=east, tier="new"),
    ]
    materials = [MaterialFactory(fulfilment=f) for f in ("stock", "stock", "make")]
    default = Warehouse.objects.create(code="01", name="成品库", is_default=True)
    other = Warehouse.objects.create(code="02", name="外库")
    return {"sales": sales, "customers": customers, "materials": materials,
            "default": default, "other": other}  # fmt: skip


def _build(pool, orders, stock):
    levels = {}
    for i, material in enumerate(pool["materials"]):
        on_hand, reserved = stock[i]
        levels[i] = StockLevel.objects.create(
            material=material, warehouse=pool["default"], on_hand=on_hand,
            reserved=min(reserved, on_hand),
        )  # fmt: skip
        # a level elsewhere never counts: orders reserve at the default warehouse
        StockLevel.objects.create(material=material, warehouse=pool["other"], on_hand=Decimal(99))
    now = timezone.now()
    for spec in orders:
        order = Order.objects.create(
            number=f"P-{next(_numbers)}",
            customer=pool["customers"][spec["customer"]],
            sales_owner=pool["sales"],
            created_by=pool["sales"],
            status=spec["status"],
            priority=spec["priority"],
            channel=spec["channel"],
            total_amount=spec["amount"],
            due_date=timezone.localdate() + dt.timedelta(days=spec["due"]),
            production_started_at=now if spec["started"] else None,
            external_no=spec["external_no"],
        )
        for n, line in enumerate(spec["lines"], start=1):
            material = pool["materials"][line["material"]]
            ol = OrderLine.objects.create(
                order=order, line_no=n, material=material, quantity=line["quantity"],
                unit_price=1, amount=line["quantity"], fulfilment=material.fulfilment,
                shipped_quantity=min(line["shipped"], line["quantity"]),
            )  # fmt: skip
            if line["held"]:
                Reservation.objects.create(
                    order=order, order_line=ol, level=levels[line["material"]],
                    quantity=line["held"],
                )  # fmt: skip
        for tag in spec["tags"]:
            OrderTag.objects.create(order=order, tag=tag)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(orders=st.lists(order_st, min_size=1, max_size=6), stock=stock_st, tree=conditions)
def test_sql_and_python_agree(pool, orders, stock, tree):
    # given random orders and stock, inside a transaction undone after each example
    with transaction.atomic():
        _build(pool, orders, stock)
        # when the random condition is evaluated both ways / then the same orders match
        assert sql_ids(tree) == py_ids(tree)
        transaction.set_rollback(True)
