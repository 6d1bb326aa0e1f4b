"""Every state × every action × every role against the hand-written table of SPEC §3."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.factories import CustomerFactory, MaterialFactory, RegionFactory, make_user
from tests.orders.spec_table import (
    ACTIONS,
    ROLES,
    STATES,
    TABLE,
    expected,
    expected_allowed,
)
from zhongshu.accounts.models import Region
from zhongshu.catalog.models import Material
from zhongshu.core.errors import DomainError
from zhongshu.customers.models import Customer
from zhongshu.orders.models import Order, OrderEvent
from zhongshu.orders.services import order_create, order_transition
from zhongshu.orders.statuses import TRANSITIONS, OrderStatus

TIMESTAMPS = [
    "submitted_at",
    "confirmed_at",
    "scheduled_at",
    "production_started_at",
    "production_finished_at",
    "shipped_at",
    "completed_at",
    "cancelled_at",
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One user per role, a 华东 customer and a stock material, committed once for the module
    (users are slow to make: password hashing); each test's order is rolled back."""
    with django_db_blocker.unblock():
        region = RegionFactory(name="矩阵华东")
        users = {
            role: make_user(role, regions=("矩阵华东",), username=f"matrix-{role}")
            for role in ROLES
        }
        ns = SimpleNamespace(
            users=users,
            customer=CustomerFactory(code="C-MATRIX", region=region),
            material=MaterialFactory(code="M-MATRIX", fulfilment="stock"),
        )
        yield ns
        Customer.objects.filter(code="C-MATRIX").delete()
        Material.objects.filter(code="M-MATRIX").delete()
        get_user_model().objects.filter(username__startswith="matrix-").delete()
        Region.objects.filter(name="矩阵华东").delete()


def _order_in(world, state: str) -> Order:
    order = order_create(
        actor=world.users["sales"],
        customer=world.customer.code,
        due_date=timezone.localdate() + dt.timedelta(days=10),
        lines=[{"material": world.material.code, "quantity": "3", "unit_price": "12.50"}],
    )
    Order.objects.filter(pk=order.pk).update(status=state)
    return Order.objects.get(pk=order.pk)


def _snapshot(order_id: int) -> tuple:
    o = Order.objects.get(pk=order_id)
    return (
        o.status,
        o.version,
        OrderEvent.objects.filter(order_id=order_id).count(),
        *(getattr(o, f) for f in TIMESTAMPS),
    )


def test_the_code_knows_exactly_the_actions_and_states_of_the_spec():
    assert sorted(TRANSITIONS) == sorted(ACTIONS)
    assert sorted(OrderStatus.values) == sorted(STATES)
    for action, (sources, target, _roles, reason, ts) in TABLE.items():
        t = TRANSITIONS[action]
        assert (sorted(t.sources), t.target, t.note_required, t.timestamp_field) == (
            sorted(sources),
            target,
            reason,
            ts,
        ), action


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_transition(world, no_hooks, db, state, action, role):
    # given an order of the sales user's region in `state`
    order = _order_in(world, state)
    actor = world.users[role]
    before = _snapshot(order.pk)
    outcome, value = expected(role, state, action)
    needs_reason = TABLE[action][3]

    if outcome == "ok" and needs_reason:
        # when the reason is missing (or only blanks) then 422 and nothing changed
        for blank in ("", "   ", "\u3000"):
            with pytest.raises(DomainError) as exc:
                order_transition(actor=actor, order_id=order.pk, action=action, note=blank)
            assert (exc.value.http_status, exc.value.code) == (422, "validation_error")
            assert [e["field"] for e in exc.value.details["errors"]] == ["note"]
            assert _snapshot(order.pk) == before

    if outcome == "ok":
        # when the allowed role fires it then the order moves and the timeline says so
        result = order_transition(actor=actor, order_id=order.pk, action=action, note="客户要求")
        saved = Order.objects.get(pk=order.pk)
        assert result.status == saved.status == value
        assert saved.version == order.version + 1
        event = OrderEvent.objects.filter(order=saved).latest("id")
        assert (event.actor_id, event.from_status, event.to_status, event.action, event.note) == (
            actor.pk,
            state,
            value,
            action,
            "客户要求",
        )
        assert OrderEvent.objects.filter(order=saved).count() == before[2] + 1
        ts = TABLE[action][4]
        if ts:
            assert getattr(saved, ts) is not None
        changed_ts = [f for f in TIMESTAMPS if getattr(saved, f) != getattr(order, f)]
        assert changed_ts == ([ts] if ts else [])
    else:
        status, code = value
        with pytest.raises(DomainError) as exc:
            order_transition(actor=actor, order_id=order.pk, action=action, note="客户要求")
        assert (exc.value.http_status, exc.value.code) == (status, code)
        if code == "illegal_transition":
            assert exc.value.details["status"] == state
            assert exc.value.details["allowed_actions"] == expected_allowed(role, state)
        assert _snapshot(order.pk) == before


@pytest.mark.parametrize("state", ["draft", "pending_review"])
def test_sales_may_not_cancel_a_colleagues_order_but_may_submit_it(world, no_hooks, db, state):
    # given an order of another sales user of the same region
    colleague = make_user("sales", regions=("矩阵华东",))
    order = _order_in(world, state)
    before = _snapshot(order.pk)
    # when the colleague cancels it then 403 and nothing changed
    with pytest.raises(DomainError) as exc:
        order_transition(actor=colleague, order_id=order.pk, action="cancel", note="不要了")
    assert (exc.value.http_status, exc.value.code) == (403, "forbidden")
    assert _snapshot(order.pk) == before
    if state == "draft":
        result = order_transition(actor=colleague, order_id=order.pk, action="submit")
        assert result.status == "pending_review"


def test_a_stale_version_is_refused_before_anything_else(world, no_hooks, db):
    order = _order_in(world, "pending_review")
    before = _snapshot(order.pk)
    with pytest.raises(DomainError) as exc:
        order_transition(
            actor=world.users["planner"],
            order_id=order.pk,
            action="confirm",
            version=order.version - 1 if order.version > 1 else order.version + 1,
        )
    assert (exc.value.http_status, exc.value.code) == (409, "stale_version")
    assert exc.value.details["current_version"] == order.version
    assert _snapshot(order.pk) == before
    # the current version passes
    result = order_transition(
        actor=world.users["planner"], order_id=order.pk, action="confirm", version=order.version
    )
    assert result.status == "confirmed"


def test_the_timestamp_of_a_state_is_kept_when_the_order_returns_to_it(world, no_hooks, db):
    order = _order_in(world, "draft")
    sales, planner = world.users["sales"], world.users["planner"]
    order_transition(actor=sales, order_id=order.pk, action="submit")
    first = Order.objects.get(pk=order.pk).submitted_at
    order_transition(actor=planner, order_id=order.pk, action="reject", note="价格不对")
    order_transition(actor=sales, order_id=order.pk, action="submit")
    saved = Order.objects.get(pk=order.pk)
    assert (saved.status, saved.submitted_at) == ("pending_review", first)
    assert [e.action for e in saved.events.order_by("id")] == [
        "created",
        "submit",
        "reject",
        "submit",
    ]
