"""The condition compiler: every operator, nesting and derived field, each checked on both sides
(SQL for scans, Python for events) — and validation refusing what it cannot compile."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import CustomerFactory, MaterialFactory, RegionFactory, make_order, make_user
from zhongshu.core.errors import ValidationFailed
from zhongshu.inventory.services import stock_receive
from zhongshu.rules import compiler
from zhongshu.rules.models import OrderTag

from .conftest import both, check

pytestmark = pytest.mark.usefixtures("no_default_rules")


@pytest.fixture
def world(warehouse):
    """Three orders: A (urgent, 苏州 key customer, due in 2 days, total 226, short of stock),
    B (normal, 天津 regular customer, due in 10 days, total 2260, in production),
    C (critical, taobao, due in 5 days, total 22.60, make-to-order line)."""
    sales = make_user("sales", regions=("华东", "华北"))
    east, north = RegionFactory(name="华东"), RegionFactory(name="华北")
    c1 = CustomerFactory(code="C-SZ", name="苏州精工机械", region=east, tier="key")
    c2 = CustomerFactory(code="C-TJ", name="天津重工", region=north)
    gear = MaterialFactory(code="GEAR-1", fulfilment="stock")
    bolt = MaterialFactory(code="BOLT-1", fulfilment="stock")
    mold = MaterialFactory(code="MOLD-1", fulfilment="make")
    keeper = make_user("warehouse")
    stock_receive(actor=keeper, material="GEAR-1", quantity="5", warehouse="01")
    stock_receive(actor=keeper, material="BOLT-1", quantity="1000", warehouse="01")
    a = make_order(
        actor=sales,
        customer=c1,
        due_in_days=2,
        priority="urgent",
        lines=[{"material": gear.code, "quantity": "20", "unit_price": "10"}],
    )
    b = make_order(
        actor=sales,
        customer=c2,
        due_in_days=10,
        status="in_production",
        lines=[
            {"material": bolt.code, "quantity": "200", "unit_price": "10"},
            {"material": mold.code, "quantity": "1", "unit_price": "0"},
        ],
    )
    c = make_order(
        actor=sales,
        customer=c1,
        due_in_days=5,
        priority="critical",
        channel="taobao",
        external_no="TB-778",
        lines=[{"material": mold.code, "quantity": "2", "unit_price": "10"}],
    )
    OrderTag.objects.create(order=b, tag="vip")
    return {"A": a.pk, "B": b.pk, "C": c.pk}  # fmt: skip


def names(world, ids):
    return {k for k, v in world.items() if v in ids}


@pytest.mark.parametrize(
    "leaf,expected",
    [
        ({"field": "priority", "op": "eq", "value": "urgent"}, {"A"}),
        ({"field": "priority", "op": "ne", "value": "urgent"}, {"B", "C"}),
        ({"field": "priority", "op": "in", "value": ["urgent", "critical"]}, {"A", "C"}),
        ({"field": "priority", "op": "not_in", "value": ["urgent", "critical"]}, {"B"}),
        ({"field": "amount", "op": "lt", "value": "226"}, {"C"}),
        ({"field": "amount", "op": "lte", "value": "226"}, {"A", "C"}),
        ({"field": "amount", "op": "gt", "value": 226}, {"B"}),
        ({"field": "amount", "op": "gte", "value": "226.00"}, {"A", "B"}),
        ({"field": "amount", "op": "in", "value": ["22.6", "2260"]}, {"B", "C"}),
        ({"field": "days_to_due", "op": "lte", "value": 3}, {"A"}),
        ({"field": "days_to_due", "op": "eq", "value": 5}, {"C"}),
        ({"field": "days_to_due", "op": "not_in", "value": [2, 5]}, {"B"}),
        ({"field": "due_date", "op": "is_null", "value": False}, {"A", "B", "C"}),
        ({"field": "customer_name", "op": "contains", "value": "精工"}, {"A", "C"}),
        ({"field": "customer", "op": "contains", "value": "c-tj"}, {"B"}),
        ({"field": "external_no", "op": "is_null", "value": True}, {"A", "B"}),
        ({"field": "external_no", "op": "is_null", "value": False}, {"C"}),
        ({"field": "customer_region", "op": "eq", "value": "华北"}, {"B"}),
        ({"field": "customer_tier", "op": "eq", "value": "key"}, {"A", "C"}),
        ({"field": "channel", "op": "eq", "value": "taobao"}, {"C"}),
        ({"field": "status", "op": "eq", "value": "in_production"}, {"B"}),
        ({"field": "production_started", "op": "eq", "value": True}, {"B"}),
        ({"field": "production_started", "op": "ne", "value": True}, {"A", "C"}),
        ({"field": "stock_shortage", "op": "eq", "value": True}, {"A"}),
        ({"field": "shortage_qty", "op": "eq", "value": 15}, {"A"}),
        ({"field": "shortage_qty", "op": "gt", "value": 0}, {"A"}),
        ({"field": "tags", "op": "contains", "value": "vip"}, {"B"}),
        ({"field": "tags", "op": "is_null", "value": True}, {"A", "C"}),
    ],
)
def test_each_operator_means_the_same_in_sql_and_python(world, leaf, expected):
    # given three different orders / when one condition is compiled both ways
    # then both sides pick exactly the expected orders
    assert names(world, both(leaf)) == expected


def test_groups_nest(world):
    # (urgent or critical) and not (taobao) and all-of-nothing (true)
    tree = {
        "all": [
            {"any": [{"field": "priority", "op": "eq", "value": "urgent"},
                     {"field": "priority", "op": "eq", "value": "critical"}]},
            {"not": {"field": "channel", "op": "eq", "value": "taobao"}},
            {"all": []},
        ]
    }  # fmt: skip
    assert names(world, both(tree)) == {"A"}
    assert names(world, both({"any": []})) == set()
    assert names(world, both({"all": []})) == {"A", "B", "C"}
    assert names(world, both({"not": {"any": []}})) == {"A", "B", "C"}


def test_a_reserved_line_is_not_short_of_its_own_reservation(world):
    # given B is in production and holds its 200 bolts; only 800 remain available
    # then B is not short (its own reservation covers it) and shortage is per line, not per order
    assert names(world, both({"field": "stock_shortage", "op": "eq", "value": False})) == {"B", "C"}


def test_days_to_due_follows_the_day_it_is_evaluated(world):
    # given A is due in 2 days / when evaluated as of 3 days from now / then A is overdue by 1
    later = timezone.localdate() + dt.timedelta(days=3)
    assert names(world, both({"field": "days_to_due", "op": "eq", "value": -1}, today=later)) == {
        "A"
    }


def test_unknown_field_operator_and_type_are_all_listed_at_once():
    tree = {
        "all": [
            {"field": "colour", "op": "eq", "value": "red"},
            {"field": "amount", "op": "contains", "value": "1"},
            {"field": "days_to_due", "op": "lte", "value": "soon"},
            {"field": "days_to_due", "op": "lte", "value": 1.5},
            {"field": "status", "op": "eq", "value": "lost"},
            {"field": "stock_shortage", "op": "eq", "value": "yes"},
            {"field": "priority", "op": "in", "value": []},
            {"some": "thing"},
            "text",
        ]
    }
    with pytest.raises(ValidationFailed) as exc:
        check(tree)
    fields = [e["field"] for e in exc.value.errors]
    assert fields == [
        "condition.all[0].field",
        "condition.all[1].op",
        "condition.all[2].value",
        "condition.all[3].value",
        "condition.all[4].value",
        "condition.all[5].value",
        "condition.all[6].value",
        "condition.all[7]",
        "condition.all[7].field",
        "condition.all[8]",
    ]
    assert (
        "colour" in exc.value.errors[0]["message"]
        and "days_to_due" in exc.value.errors[0]["message"]
    )


def test_depth_and_size_are_bounded():
    deep = {"field": "priority", "op": "eq", "value": "urgent"}
    for _ in range(compiler.MAX_DEPTH + 2):
        deep = {"not": deep}
    with pytest.raises(ValidationFailed):
        check(deep)
    wide = {"any": [{"field": "amount", "op": "gt", "value": i} for i in range(100)]}
    with pytest.raises(ValidationFailed):
        check(wide)


def test_values_are_normalised():
    clean = check({"all": [{"field": "amount", "op": "gte", "value": 12.5},
                           {"field": "due_date", "op": "lt", "value": "2026-12-01"}]})  # fmt: skip
    assert clean == {"all": [{"field": "amount", "op": "gte", "value": "12.5"},
                             {"field": "due_date", "op": "lt", "value": "2026-12-01"}]}  # fmt: skip
    assert Decimal(clean["all"][0]["value"]) == Decimal("12.5")


def test_the_catalogue_names_every_field_with_its_operators():
    by_name = {f["name"]: f for f in compiler.catalogue()}
    assert set(by_name) == set(compiler.FIELDS)
    assert [o["op"] for o in by_name["production_started"]["operators"]] == ["eq", "ne"]
    assert {c["value"] for c in by_name["status"]["choices"]} >= {"draft", "confirmed"}
