"""Order services beyond the transition table: edits, prices, amounts, guards and hooks."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import MaterialFactory, make_order, make_user
from zhongshu.core.errors import DomainError
from zhongshu.orders import hooks
from zhongshu.orders.models import Order, OrderEvent
from zhongshu.orders.services import order_create, order_transition, order_update

pytestmark = pytest.mark.django_db


def _lines(order):
    return [
        (ln.line_no, ln.material.code, ln.quantity, ln.unit_price, ln.amount)
        for ln in order.lines.select_related("material").order_by("line_no")
    ]


def test_create_computes_amounts_with_discount_and_tax(sales_east, customer_east):
    MaterialFactory(code="M-A", standard_price=Decimal("12.34"))
    MaterialFactory(code="M-B", standard_price=Decimal("5"))
    order = order_create(
        actor=sales_east,
        customer="C-EAST",
        due_date=timezone.localdate() + dt.timedelta(days=5),
        lines=[
            {"material": "M-A", "quantity": "3"},
            {"material": "M-B", "quantity": "1.5", "unit_price": "8.88"},
        ],
        discount_rate="10",
        tax_rate="13",
        payment_terms="cod",
    )
    order.refresh_from_db()
    assert _lines(order) == [
        (1, "M-A", Decimal("3.000"), Decimal("12.34"), Decimal("37.02")),
        (2, "M-B", Decimal("1.500"), Decimal("8.88"), Decimal("13.32")),
    ]
    # 50.34 − 10 % = 45.306 → tax 13 % = 5.88978 → 5.89; total 45.31 + 5.89
    assert (order.subtotal, order.tax_amount, order.total_amount) == (
        Decimal("50.34"),
        Decimal("5.89"),
        Decimal("51.20"),
    )
    assert (order.status, order.version, order.payment_terms, order.sales_owner) == (
        "draft",
        1,
        "cod",
        sales_east,
    )
    assert [(e.action, e.to_status, e.actor) for e in order.events.all()] == [
        ("created", "draft", sales_east)
    ]


def test_a_line_sent_without_a_price_keeps_its_price(sales_east, customer_east):
    material = MaterialFactory(code="M-A", standard_price=Decimal("10"))
    MaterialFactory(code="M-B", standard_price=Decimal("4"))
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "M-A", "quantity": "1", "unit_price": "7.50"}],
    )
    material.standard_price = Decimal("99")
    material.save()
    updated = order_update(
        actor=sales_east,
        order_id=order.pk,
        version=order.version,
        data={
            "lines": [{"material": "M-A", "quantity": "2"}, {"material": "M-B", "quantity": "1"}]
        },
    )
    assert _lines(updated) == [
        (1, "M-A", Decimal("2.000"), Decimal("7.50"), Decimal("15.00")),
        (2, "M-B", Decimal("1.000"), Decimal("4.00"), Decimal("4.00")),
    ]
    assert updated.subtotal == Decimal("19.00")
    # a different material in the first position starts from its own standard price
    again = order_update(
        actor=sales_east,
        order_id=order.pk,
        version=updated.version,
        data={"lines": [{"material": "M-B", "quantity": "1"}]},
    )
    assert _lines(again) == [(1, "M-B", Decimal("1.000"), Decimal("4.00"), Decimal("4.00"))]


def test_planner_changes_quantities_but_not_prices(sales_east, customer_east):
    MaterialFactory(code="M-A", standard_price=Decimal("10"))
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "M-A", "quantity": "1", "unit_price": "7.50"}],
    )
    planner = make_user("planner")
    updated = order_update(
        actor=planner,
        order_id=order.pk,
        version=order.version,
        data={"lines": [{"material": "M-A", "quantity": "4"}]},
    )
    assert _lines(updated) == [(1, "M-A", Decimal("4.000"), Decimal("7.50"), Decimal("30.00"))]
    before = (updated.version, _lines(updated))
    with pytest.raises(DomainError) as exc:
        order_update(
            actor=planner,
            order_id=order.pk,
            version=updated.version,
            data={"lines": [{"material": "M-A", "quantity": "4", "unit_price": "7.49"}]},
        )
    assert (exc.value.code, exc.value.details) == ("forbidden_field", {"fields": ["unit_price"]})
    fresh = Order.objects.get(pk=order.pk)
    assert (fresh.version, _lines(fresh)) == before


def test_an_edit_that_changes_nothing_is_not_a_new_version(sales_east, customer_east):
    order = make_order(actor=sales_east, customer=customer_east, note="原样")
    line = order.lines.select_related("material").get()
    same = order_update(
        actor=sales_east,
        order_id=order.pk,
        version=1,
        data={
            "note": "原样",
            "priority": "normal",
            "customer": "c-east",
            "lines": [{"material": line.material.code, "quantity": "2.000", "unit_price": "10"}],
        },
    )
    assert same.version == 1
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_an_edit_is_recorded_with_before_and_after(sales_east, customer_east):
    order = make_order(actor=sales_east, customer=customer_east)
    due = timezone.localdate() + dt.timedelta(days=3)
    updated = order_update(
        actor=sales_east,
        order_id=order.pk,
        version=1,
        data={"due_date": due.isoformat(), "priority": "critical", "discount_rate": "5"},
    )
    assert (updated.version, updated.due_date, updated.priority) == (2, due, "critical")
    event = updated.events.latest("id")
    assert (event.action, event.from_status, event.to_status) == ("updated", "", "")
    assert event.data["changed"] == ["discount_rate", "due_date", "priority"]
    assert event.data["after"] == {
        "due_date": due.isoformat(),
        "priority": "critical",
        "discount_rate": "5.00",
    }
    assert event.data["before"]["priority"] == "normal"


@pytest.mark.parametrize("version", [None, "1", 1.0, True])
def test_an_edit_needs_the_version_as_an_integer(sales_east, customer_east, version):
    order = make_order(actor=sales_east, customer=customer_east)
    with pytest.raises(DomainError) as exc:
        order_update(actor=sales_east, order_id=order.pk, version=version, data={"note": "x"})
    assert exc.value.code == "validation_error"
    assert Order.objects.get(pk=order.pk).version == 1


def test_confirmed_orders_are_not_edited(sales_east, customer_east, no_hooks):
    order = make_order(actor=sales_east, customer=customer_east, status="confirmed")
    with pytest.raises(DomainError) as exc:
        order_update(actor=sales_east, order_id=order.pk, version=order.version, data={"note": "x"})
    assert (exc.value.http_status, exc.value.code) == (409, "order_not_editable")


def test_managers_edit_only_their_own_orders(sales_east, customer_east):
    order = make_order(actor=sales_east, customer=customer_east)
    with pytest.raises(DomainError) as exc:
        order_update(actor=make_user("manager"), order_id=order.pk, version=1, data={"note": "x"})
    assert (exc.value.http_status, exc.value.code) == (403, "forbidden")


def test_submit_is_blocked_for_a_past_due_date(sales_east, customer_east, no_hooks):
    order = make_order(actor=sales_east, customer=customer_east)
    Order.objects.filter(pk=order.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(DomainError) as exc:
        order_transition(actor=sales_east, order_id=order.pk, action="submit")
    assert (exc.value.http_status, exc.value.code) == (409, "transition_blocked")
    assert len(exc.value.details["reasons"]) == 1
    assert Order.objects.get(pk=order.pk).status == "draft"


def test_make_lines_do_not_ship_before_production(sales_east, customer_east, no_hooks):
    made = MaterialFactory(fulfilment="make")
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": made.code, "quantity": 1}],
        status="confirmed",
    )
    with pytest.raises(DomainError) as exc:
        order_transition(actor=make_user("warehouse"), order_id=order.pk, action="ship")
    assert (exc.value.http_status, exc.value.code) == (409, "transition_blocked")
    fresh = Order.objects.get(pk=order.pk)
    assert (fresh.status, fresh.version, fresh.shipped_at) == ("confirmed", order.version, None)


def test_a_guard_refuses_and_nothing_changes(sales_east, customer_east, no_hooks):
    order = make_order(actor=sales_east, customer=customer_east)
    seen = []

    @hooks.guard("submit")
    def no_stock(ctx):
        seen.append((ctx.action, ctx.from_status, ctx.to_status))
        raise DomainError("库存不足", code="stock_short")

    with pytest.raises(DomainError) as exc:
        order_transition(actor=sales_east, order_id=order.pk, action="submit")
    assert exc.value.code == "stock_short"
    assert seen == [("submit", "draft", "pending_review")]
    fresh = Order.objects.get(pk=order.pk)
    assert (fresh.status, fresh.version, fresh.submitted_at) == ("draft", 1, None)
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_a_failing_effect_rolls_the_transition_back(sales_east, customer_east, no_hooks):
    order = make_order(actor=sales_east, customer=customer_east)

    @hooks.effect("*")
    def explode(ctx):
        assert Order.objects.get(pk=ctx.order.pk).status == "pending_review"  # inside the tx
        raise DomainError("下游失败")

    with pytest.raises(DomainError):
        order_transition(actor=sales_east, order_id=order.pk, action="submit")
    fresh = Order.objects.get(pk=order.pk)
    assert (fresh.status, fresh.version) == ("draft", 1)
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_after_commit_listeners_run_once_and_cannot_undo(
    sales_east, customer_east, no_hooks, django_capture_on_commit_callbacks
):
    order = make_order(actor=sales_east, customer=customer_east)
    calls = []

    @hooks.on_commit("submit")
    def record(ctx):
        calls.append((ctx.order.number, ctx.from_status, ctx.to_status, ctx.actor))

    @hooks.on_commit("submit")
    def broken(ctx):
        raise RuntimeError("通知渠道不可用")

    with django_capture_on_commit_callbacks(execute=True):
        result = order_transition(actor=sales_east, order_id=order.pk, action="submit")
    assert calls == [(order.number, "draft", "pending_review", sales_east)]
    assert result.status == Order.objects.get(pk=order.pk).status == "pending_review"
    assert hooks.registered()["on_commit"]["submit"] == [
        f"{__name__}.record",
        f"{__name__}.broken",
    ]


def test_system_transitions_skip_the_role_check(sales_east, customer_east, no_hooks):
    order = make_order(actor=sales_east, customer=customer_east, status="scheduling")
    result = order_transition(actor=None, order_id=order.pk, action="start", system=True)
    assert result.status == "in_production"
    event = result.events.latest("id")
    assert (event.actor, event.action) == (None, "start")
    with pytest.raises(DomainError) as exc:
        order_transition(actor=None, order_id=order.pk, action="start", system=True)
    assert (exc.value.code, exc.value.details["allowed_actions"]) == ("illegal_transition", [])
