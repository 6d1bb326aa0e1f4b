"""In a batch (imports, channel sync) the event rules are checked once for all the orders."""

import pytest

from tests.factories import make_order, make_user
from zhongshu.orders import hooks
from zhongshu.orders.services import order_transition
from zhongshu.rules import services
from zhongshu.rules.models import OrderTag, RuleHit

pytestmark = pytest.mark.usefixtures("no_default_rules")

URGENT = {"field": "priority", "op": "eq", "value": "urgent"}


def make_rule(triggers, tag):
    return services.rule_create(
        actor=make_user("admin"),
        data={"name": tag, "triggers": triggers, "condition": URGENT,
              "actions": [{"type": "tag", "tag": tag}]},
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_orders_created_and_submitted_in_a_batch_are_checked_once_per_trigger(
    sales_east, customer_east, monkeypatch
):
    # given rules on creation, submission and status change
    make_rule(["order.created"], "新急单")
    make_rule(["order.submitted"], "已提交")
    make_rule(["order.status_changed"], "状态")
    calls = []
    real = services.check_event
    monkeypatch.setattr(
        services, "check_event", lambda t, ids, **kw: calls.append((t, list(ids))) or real(t, ids)
    )
    # when three orders (two urgent) are created and submitted inside one batch
    with hooks.batch():
        orders = [
            make_order(actor=sales_east, customer=customer_east, priority=p)
            for p in ("urgent", "normal", "urgent")
        ]
        for o in orders:
            order_transition(actor=sales_east, order_id=o.pk, action="submit", note="")
        assert calls == []  # nothing checked before the batch ends
    # then each trigger was checked once with all the orders, and the urgent ones were tagged
    ids = [o.pk for o in orders]
    assert calls == [
        ("order.created", ids),
        ("order.submitted", ids),
        ("order.status_changed", ids),
    ]
    tagged = set(OrderTag.objects.values_list("order_id", "tag"))
    urgent = (orders[0].pk, orders[2].pk)
    assert tagged == {(o, t) for o in urgent for t in ("新急单", "已提交", "状态")}
    assert RuleHit.objects.count() == 6


@pytest.mark.django_db(transaction=True)
def test_outside_a_batch_the_rules_run_after_each_commit(sales_east, customer_east):
    make_rule(["order.created"], "新急单")
    order = make_order(actor=sales_east, customer=customer_east, priority="urgent")
    assert list(OrderTag.objects.values_list("order_id", "tag")) == [(order.pk, "新急单")]
