"""Many orders at once (imports, channel sync): the same rows, timeline, audit trail, refusals and
after-commit hooks as ``order_create``/``order_transition`` one by one, in a number of statements
that does not grow with the number of orders."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.factories import CustomerFactory, MaterialFactory, make_user, make_warehouse, put_stock
from zhongshu.core.errors import PermissionDenied
from zhongshu.orders import hooks
from zhongshu.orders.bulk import NewLine, NewOrder, orders_create_many, orders_transition_many
from zhongshu.orders.models import Order, OrderEvent, OrderLine, OrderNumberSequence
from zhongshu.orders.services import order_create, order_transition

pytestmark = pytest.mark.django_db

ORDER_FIELDS = (
    "customer_id", "sales_owner_id", "created_by_id", "channel", "external_no", "priority",
    "due_date", "status", "currency", "discount_rate", "tax_rate", "payment_terms", "subtotal",
    "tax_amount", "total_amount", "note", "version", "submitted_at",
)  # fmt: skip


@pytest.fixture
def parts(db):
    return [
        MaterialFactory(code="BK-1", standard_price="12.50"),
        MaterialFactory(code="BK-2", standard_price="3.20", fulfilment="make"),
    ]


def _inputs(customer, parts, n):
    """``n`` orders as (order_create kwargs, NewOrder) pairs describing the same order."""
    due = timezone.localdate() + dt.timedelta(days=20)
    out = []
    for i in range(n):
        lines = [(parts[0], Decimal(i + 1), Decimal("12.50"), "first"),
                 (parts[1], Decimal("2.5"), Decimal("3.33"), "")]  # fmt: skip
        values = {"external_no": f"EXT-{i}", "priority": "urgent" if i % 2 else "normal",
                  "payment_terms": "prepaid", "note": f"订单 {i}"}  # fmt: skip
        one = dict(
            customer=customer.code, due_date=due, channel="taobao",
            lines=[{"material": m.code, "quantity": str(q), "unit_price": str(p), "note": note}
                   for m, q, p, note in lines],
            **values,
        )  # fmt: skip
        many = NewOrder(
            customer_id=customer.pk, due_date=due, values=values,
            lines=[NewLine(material_id=m.pk, quantity=q, unit_price=p, note=note)
                   for m, q, p, note in lines],
        )  # fmt: skip
        out.append((one, many))
    return out


def _snapshot(order):
    """Everything an order leaves behind, minus what must differ (ids, numbers, instants)."""
    order = Order.objects.get(pk=order.pk)
    return {
        "order": {
            f: getattr(order, f) is not None if f == "submitted_at" else getattr(order, f)
            for f in ORDER_FIELDS
        },
        "lines": [
            (
                ln.line_no,
                ln.material_id,
                ln.quantity,
                ln.unit_price,
                ln.amount,
                ln.fulfilment,
                ln.note,
                ln.shipped_quantity,
            )
            for ln in order.lines.order_by("line_no")
        ],
        "events": [
            (e.action, e.actor_id, e.from_status, e.to_status, e.note, e.data)
            for e in OrderEvent.objects.filter(order=order).order_by("id")
        ],
        "history": [
            (
                h.history_type,
                h.history_user_id,
                h.history_change_reason,
                h.status,
                h.version,
                h.subtotal,
                h.total_amount,
                h.number == order.number,
                h.external_no,
            )
            for h in order.history.order_by("history_date", "history_id")
        ],
        "line_history": sorted(
            (
                h.history_type,
                h.history_user_id,
                h.history_change_reason,
                h.line_no,
                h.quantity,
                h.unit_price,
                h.amount,
            )
            for h in OrderLine.history.filter(order_id=order.pk)
        ),
    }


@pytest.fixture
def heard(monkeypatch):
    """The after-commit hooks each path fires: (action, order id) in firing order."""
    calls = []
    table = hooks._after_commit.copy()
    monkeypatch.setattr(hooks, "_after_commit", table)

    @hooks.on_commit_many("*")
    def listen(ctxs):
        calls.extend((c.action, c.order.pk, c.actor.pk, c.from_status, c.to_status) for c in ctxs)

    return calls


def test_bulk_creation_writes_what_order_create_writes(
    sales_east, customer_east, parts, heard, django_capture_on_commit_callbacks
):
    # given the same three orders, described once for each path
    inputs = _inputs(customer_east, parts, 3)
    # when they are created one by one, and again all at once
    with django_capture_on_commit_callbacks(execute=True):
        singles = [order_create(actor=sales_east, **one) for one, _many in inputs]
    one_by_one = list(heard)
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        bulk = orders_create_many(
            actor=sales_east,
            orders=[many for _one, many in inputs],
            price_fields=("unit_price", "payment_terms"),
            channel="taobao",
        )
    # then every order, line, timeline event and history row is the same
    for single, made in zip(singles, bulk, strict=True):
        assert isinstance(made, Order)
        assert _snapshot(made) == _snapshot(single)
        # and the instance handed back is the order as stored
        stored = Order.objects.get(pk=made.pk)
        assert {f: getattr(made, f) for f in ORDER_FIELDS} == {
            f: getattr(stored, f) for f in ORDER_FIELDS
        }
    # and the numbers continue the same gapless counter
    numbers = [o.number for o in [*singles, *bulk]]
    assert [int(n[-6:]) for n in numbers] == list(range(1, 7))
    # and the same "created" hooks ran for each order
    assert [c[0] for c in heard] == [c[0] for c in one_by_one] == ["created"] * 3
    assert [c[1] for c in heard] == [o.pk for o in bulk]
    assert {c[2:] for c in heard} == {c[2:] for c in one_by_one}


def test_refused_orders_are_reported_and_leave_nothing_behind(sales_east, customer_east, parts):
    # given four orders: fine, inactive material, a customer outside the actor's regions, and
    # a total that cannot be stored
    north = CustomerFactory(code="C-N", region__name="华北")
    parts[1].is_active = False
    parts[1].save()
    due = timezone.localdate() + dt.timedelta(days=5)

    def spec(customer, material, qty="1", price="1"):
        return NewOrder(customer_id=customer.pk, due_date=due, lines=[
            NewLine(material_id=material.pk, quantity=Decimal(qty), unit_price=Decimal(price))])  # fmt: skip

    specs = [
        spec(customer_east, parts[0]),
        spec(customer_east, parts[1]),
        spec(north, parts[0]),
        spec(customer_east, parts[0], qty="9999999999", price="99999999"),
    ]
    # when they are created together
    with translation.override("en"):
        results = orders_create_many(actor=sales_east, orders=specs, price_fields=["unit_price"])
    # then only the first exists, and the others say why, as order_create would
    assert isinstance(results[0], Order)
    assert [r.errors for r in results[1:]] == [
        [{"field": "lines[0].material", "message": "Material BK-2 is inactive."}],
        [{"field": "customer", "message": "Unknown customer: C-N"}],
        [{"field": "lines[0].amount", "message": "Quantity × unit price is too large."}],
    ]
    assert Order.objects.count() == 1
    # and no number was spent on a refused order
    assert OrderNumberSequence.objects.get().last_value == 1


def test_bulk_creation_needs_the_create_permission(planner, customer_east, parts):
    spec = NewOrder(customer_id=customer_east.pk, due_date=timezone.localdate(), lines=[
        NewLine(material_id=parts[0].pk, quantity=Decimal(1), unit_price=Decimal(1))])  # fmt: skip
    with pytest.raises(PermissionDenied):
        orders_create_many(actor=planner, orders=[spec])
    assert Order.objects.count() == 0


@pytest.mark.default_rules  # the shipped rule: short stock blocks the submission
def test_bulk_submission_matches_order_transition(
    sales_east, customer_east, parts, heard, django_capture_on_commit_callbacks
):
    # given stock for part 1 only up to 3 pieces, and orders of 1, 2 … 5 pieces of it (the
    # make-to-order part needs no stock), plus one order of an inactive customer
    put_stock(parts[0], 3, warehouse=make_warehouse())
    bot = make_user("sales", "planner")
    inputs = _inputs(customer_east, parts, 5)
    gone = CustomerFactory(code="C-GONE", region=customer_east.region)
    inputs.append(_inputs(gone, parts, 1)[0])

    def make_pair():
        singles = [order_create(actor=bot, **one) for one, _m in inputs]
        bulk = orders_create_many(actor=bot, orders=[m for _o, m in inputs], channel="taobao")
        return singles, bulk

    singles, bulk = make_pair()
    for order in (singles[-1], bulk[-1]):
        order.customer.is_active = False
        order.customer.save()
    heard.clear()
    # when the first set is submitted one by one and the second all at once
    refusals = {}
    with django_capture_on_commit_callbacks(execute=True):
        for order in singles:
            try:
                order_transition(actor=bot, order_id=order.pk, action="submit", system=True)
            except Exception as exc:  # compared with the bulk refusals below
                refusals[order.pk] = exc
    one_by_one = list(heard)
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moved = orders_transition_many(
            actor=bot, order_ids=[o.pk for o in bulk], action="submit", system=True
        )
    # then the same orders moved and the same were refused, with the same errors
    assert [o.pk for o in moved.moved] == [o.pk for o in bulk[:3]]
    assert len(refusals) == len(moved.refused) == 3
    for single, made in zip(singles, bulk, strict=True):
        assert _snapshot(made) == _snapshot(single)
        if single.pk in refusals:
            mine, theirs = moved.refused[made.pk], refusals[single.pk]
            assert (type(mine), mine.message, mine.details) == (
                type(theirs),
                theirs.message,
                theirs.details,
            )
    # and the submit hooks ran for the orders that moved
    assert [(c[0], c[3], c[4]) for c in heard] == [("submit", "draft", "pending_review")] * 3
    assert [(c[0], c[3], c[4]) for c in one_by_one] == [c[0:1] + c[3:] for c in heard]


def test_bulk_transition_refuses_per_order_like_order_transition(sales_east, customer_east, parts):
    # given a draft and an order already submitted
    a, b = (order_create(actor=sales_east, **one) for one, _m in _inputs(customer_east, parts, 2))
    order_transition(actor=sales_east, order_id=b.pk, action="submit")
    # when both are submitted by a sales user, and both cancelled without a reason
    result = orders_transition_many(actor=sales_east, order_ids=[a.pk, b.pk], action="submit")
    cancel = orders_transition_many(actor=sales_east, order_ids=[a.pk], action="cancel")
    # then the draft moved, the other is refused as an illegal transition with its actions
    assert [o.pk for o in result.moved] == [a.pk]
    assert result.refused[b.pk].code == "illegal_transition"
    assert result.refused[b.pk].details["allowed_actions"] == ["cancel"]
    assert cancel.refused[a.pk].code == "validation_error" and not cancel.moved
    # and the history names the user (not a system move)
    assert Order.objects.get(pk=a.pk).history.first().history_user_id == sales_east.pk


def test_orders_outside_the_actors_scope_are_not_found(
    sales_north, sales_east, customer_east, parts
):
    (one, _m), = _inputs(customer_east, parts, 1)  # fmt: skip
    order = order_create(actor=sales_east, **one)
    result = orders_transition_many(actor=sales_north, order_ids=[order.pk], action="submit")
    assert result.refused[order.pk].code == "not_found"
    assert Order.objects.get(pk=order.pk).status == "draft"


def test_an_action_with_effects_goes_one_by_one(sales_east, customer_east, parts, monkeypatch):
    # given an effect on submit that reserves something: each order must see the one before it
    effects = hooks._effects.copy()
    monkeypatch.setattr(hooks, "_effects", effects)
    seen = []

    @hooks.effect("submit")
    def count(ctx):
        seen.append(Order.objects.filter(status="pending_review").count())

    orders = [order_create(actor=sales_east, **one) for one, _m in _inputs(customer_east, parts, 3)]
    # when they are submitted together
    result = orders_transition_many(
        actor=sales_east, order_ids=[o.pk for o in orders], action="submit"
    )
    # then they went through order_transition in turn
    assert len(result.moved) == 3 and seen == [1, 2, 3]


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.default_rules
def test_statements_per_chunk_do_not_grow_with_the_number_of_orders(
    sales_east, customer_east, parts
):
    # given enough stock for every order
    put_stock(parts[0], 10_000, warehouse=make_warehouse())
    few, many = _inputs(customer_east, parts, 3), _inputs(customer_east, parts, 60)

    def create(inputs):
        return lambda: created.extend(
            orders_create_many(actor=sales_east, orders=[m for _o, m in inputs])
        )

    created: list = []
    # a first order makes the year's counter row and loads the rules: not per chunk
    create(_inputs(customer_east, parts, 1))()
    orders_transition_many(actor=sales_east, order_ids=[created[0].pk], action="submit")
    created.clear()
    create_few = _queries(create(few))
    small = list(created)
    created.clear()
    create_many = _queries(create(many))
    submit_few = _queries(
        lambda: orders_transition_many(
            actor=sales_east, order_ids=[o.pk for o in small], action="submit"
        )
    )
    submit_many = _queries(
        lambda: orders_transition_many(
            actor=sales_east, order_ids=[o.pk for o in created], action="submit"
        )
    )
    # then 60 orders take as many statements as 3 (one by one, 3 orders take more than that)
    assert create_many == create_few <= 16
    # submit: 14, and one read of the make lines for the component-shortage condition
    assert submit_many == submit_few <= 15
    one_by_one = _queries(lambda: [order_create(actor=sales_east, **one) for one, _m in few])
    assert one_by_one > create_few
    assert Order.objects.filter(status="pending_review").count() == 64
    assert Order.objects.filter(status="draft").count() == 3
