"""Event triggers and every action: what a matching rule leaves behind, once per order and day."""

import pytest

from tests.factories import MaterialFactory, make_order, make_user, put_stock
from zhongshu.notify.models import Message
from zhongshu.orders.models import Order, OrderEvent
from zhongshu.rules import services
from zhongshu.rules.models import FollowUp, OrderTag, Rule, RuleHit

pytestmark = pytest.mark.usefixtures("no_default_rules")


def make_rule(triggers, condition, *actions, **extra):
    return services.rule_create(
        actor=make_user("admin"),
        data={"name": "r", "triggers": triggers, "condition": condition, "actions": list(actions),
              **extra},
    )  # fmt: skip


URGENT = {"field": "priority", "op": "eq", "value": "urgent"}


def test_order_created_tags_routes_and_tells_the_owner(
    sales_east, customer_east, django_capture_on_commit_callbacks
):
    make_rule(
        ["order.created"], URGENT,
        {"type": "tag", "tag": "急单"},
        {"type": "route", "queue": "加急组"},
        {"type": "notify", "owner": True, "channel": "inapp", "template": "{number} 是急单"},
    )  # fmt: skip
    # when an urgent and a normal order are created
    with django_capture_on_commit_callbacks(execute=True):
        urgent = make_order(actor=sales_east, customer=customer_east, priority="urgent")
        make_order(actor=sales_east, customer=customer_east)
    # then only the urgent one is tagged, routed, and its owner has an inbox message
    assert list(OrderTag.objects.values_list("order_id", "kind", "tag")) == [
        (urgent.pk, "queue", "加急组"), (urgent.pk, "tag", "急单"),
    ]  # fmt: skip
    msg = Message.objects.get()
    assert (msg.channel, msg.recipient, msg.body) == (
        "inapp",
        sales_east,
        f"{urgent.number} 是急单",
    )


def test_status_change_sets_priority_with_a_timeline_row(
    sales_east, customer_east, django_capture_on_commit_callbacks
):
    make_rule(
        ["order.status_changed"],
        {"all": [{"field": "status", "op": "eq", "value": "pending_review"},
                 {"field": "days_to_due", "op": "lte", "value": 5}]},
        {"type": "set_priority", "priority": "critical"},
    )  # fmt: skip
    order = make_order(
        actor=sales_east, customer=customer_east, due_in_days=4,
        lines=[{"material": MaterialFactory(fulfilment="make").code, "quantity": "1",
                "unit_price": "1"}],
    )  # fmt: skip
    from zhongshu.orders.services import order_transition

    with django_capture_on_commit_callbacks(execute=True):
        order_transition(actor=sales_east, order_id=order.pk, action="submit")
    order.refresh_from_db()
    assert (order.priority, order.version) == ("critical", 3)
    event = OrderEvent.objects.filter(order=order, action="rule").get()
    assert event.data["after"] == {"priority": "critical"}


def test_stock_change_rechecks_open_orders_of_that_material(
    sales_east, customer_east, warehouse, django_capture_on_commit_callbacks
):
    # given a rule: when stock changes and an order is no longer short, follow up with sales
    make_rule(
        ["stock.changed"], {"field": "stock_shortage", "op": "eq", "value": False},
        {"type": "followup", "assignee_role": "sales", "due_in_days": 0,
         "title": "{number} 可以提交了"},
    )  # fmt: skip
    gear, other = MaterialFactory(fulfilment="stock"), MaterialFactory(fulfilment="stock")
    line = {"material": gear.code, "quantity": "5", "unit_price": "1"}
    waiting = make_order(actor=sales_east, customer=customer_east, lines=[line])
    # when stock of another material arrives / then nothing
    with django_capture_on_commit_callbacks(execute=True):
        put_stock(other, "5", warehouse=warehouse)
    assert not FollowUp.objects.exists()
    # when the missing material arrives / then one task for the waiting order
    with django_capture_on_commit_callbacks(execute=True):
        put_stock(gear, "5", warehouse=warehouse)
    assert list(FollowUp.objects.values_list("order_id", "title")) == [
        (waiting.pk, f"{waiting.number} 可以提交了")
    ]
    # and more stock the same day makes no second one
    with django_capture_on_commit_callbacks(execute=True):
        put_stock(gear, "1", warehouse=warehouse)
    assert FollowUp.objects.count() == 1


def test_dedupe_once_acts_only_once_ever(sales_east, customer_east):
    rule = make_rule(["schedule"], URGENT, {"type": "tag", "tag": "x"}, dedupe="once")
    order = make_order(actor=sales_east, customer=customer_east, priority="urgent")
    assert services.scan_rule(rule) == [order.pk]
    OrderTag.objects.all().delete()
    assert services.scan_rule(rule) == []
    assert not OrderTag.objects.exists()
    assert RuleHit.objects.get().key == "once"


def test_a_disabled_rule_does_nothing(sales_east, customer_east):
    rule = make_rule(["schedule"], URGENT, {"type": "tag", "tag": "x"}, enabled=False)
    make_order(actor=sales_east, customer=customer_east, priority="urgent")
    assert services.scan_due_rules() == {}
    assert not RuleHit.objects.filter(rule=rule).exists()


def test_terminal_orders_are_never_scanned(sales_east, customer_east):
    rule = make_rule(["schedule"], URGENT, {"type": "tag", "tag": "x"})
    make_order(actor=sales_east, customer=customer_east, priority="urgent", status="cancelled")
    assert services.scan_rule(rule) == []


def test_templates_only_fill_known_placeholders(sales_east, customer_east):
    order = make_order(actor=sales_east, customer=customer_east)
    from zhongshu.rules.facts import order_facts

    facts = order_facts([order.pk])[order.pk]
    rule = Rule(name="R")
    text = services.render("{number}/{rule}/{__class__}/{unknown}/{", facts, rule)
    assert text == f"{order.number}/R/{{__class__}}/{{unknown}}/{{"


def test_removed_orders_do_not_break_deferred_actions(sales_east, customer_east):
    assert services.run_deferred() == 0
    assert Order.objects.count() == 0
