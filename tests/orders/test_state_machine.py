"""Random sequences of creates, edits, stale edits and transitions by random roles, through the
services, with the invariants of SPEC §3 checked after every step."""

import datetime as dt
import itertools
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from tests.factories import CustomerFactory, MaterialFactory, RegionFactory, make_user
from tests.orders.spec_table import ACTIONS, EDGES, ROLES, STATES, TIMESTAMP_OF_STATUS
from zhongshu.core.errors import DomainError
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_create, order_transition, order_update

CENT = Decimal("0.01")


def _money(v: Decimal) -> Decimal:
    return v.quantize(CENT, rounding=ROUND_HALF_UP)


quantities = st.sampled_from(["1", "2.5", "10", "0.001", "0", "-1", "abc", "1.0001"])
prices = st.one_of(st.none(), st.sampled_from(["0", "9.99", "12.5", "-1", "1.234"]))
notes = st.sampled_from(["", "原因", "  "])


@pytest.mark.django_db
def test_random_sequences_keep_every_invariant(no_hooks):
    region = RegionFactory(name="华东")
    users = {r: make_user(r, regions=("华东",)) for r in ROLES}
    customers = [CustomerFactory(region=region).code for _ in range(2)]
    materials = [
        MaterialFactory(fulfilment="stock").code,
        MaterialFactory(fulfilment="make", standard_price=Decimal("7.77")).code,
    ]
    today = timezone.localdate()

    class OrderMachine(RuleBasedStateMachine):
        orders = Bundle("orders")

        def __init__(self):
            super().__init__()
            self.versions: dict[int, int] = {}

        def _check_refusal(self, order_id, version_before, exc):
            assert 400 <= exc.http_status < 500
            assert Order.objects.get(pk=order_id).version == version_before

        @rule(
            target=orders,
            role=st.sampled_from(["sales", "admin"]),
            customer=st.sampled_from(customers),
            lines=st.lists(
                st.tuples(st.sampled_from(materials), st.sampled_from(["1", "2.5", "10"]), prices),
                min_size=1,
                max_size=3,
            ),
            discount=st.sampled_from([None, "0", "5", "12.5"]),
        )
        def create(self, role, customer, lines, discount):
            try:
                order = order_create(
                    actor=users[role],
                    customer=customer,
                    due_date=today + dt.timedelta(days=14),
                    lines=[{"material": m, "quantity": q, "unit_price": p} for m, q, p in lines],
                    discount_rate=discount,
                )
            except DomainError:
                bad_price = any(
                    p is not None and (p.startswith("-") or p == "1.234") for *_, p in lines
                )
                assert bad_price
                return multiple()
            assert (order.status, order.version) == ("draft", 1)
            self.versions[order.pk] = 1
            return order.pk

        @rule(
            order_id=orders,
            role=st.sampled_from(ROLES),
            quantity=quantities,
            price=prices,
            note=st.text(max_size=5),
        )
        def edit(self, order_id, role, quantity, price, note):
            before = Order.objects.get(pk=order_id).version
            line = {"material": materials[0], "quantity": quantity}
            if price is not None:
                line["unit_price"] = price
            try:
                order_update(
                    actor=users[role],
                    order_id=order_id,
                    version=before,
                    data={"lines": [line], "note": note},
                )
            except DomainError as exc:
                self._check_refusal(order_id, before, exc)
                return
            after = Order.objects.get(pk=order_id).version
            assert after in (before, before + 1)  # unchanged edits do not bump the version
            self.versions[order_id] = after

        @rule(order_id=orders, role=st.sampled_from(ROLES), delta=st.sampled_from([-1, 1, 7]))
        def stale_edit(self, order_id, role, delta):
            before = Order.objects.get(pk=order_id).version
            with pytest.raises(DomainError) as exc:
                order_update(
                    actor=users[role],
                    order_id=order_id,
                    version=before + delta,
                    data={"note": "覆盖别人的修改"},
                )
            assert exc.value.code in {"stale_version", "forbidden", "not_found"}
            self._check_refusal(order_id, before, exc.value)

        @rule(
            order_id=orders,
            role=st.sampled_from(ROLES),
            action=st.sampled_from(ACTIONS),
            note=notes,
        )
        def transition(self, order_id, role, action, note):
            order = Order.objects.get(pk=order_id)
            try:
                result = order_transition(
                    actor=users[role], order_id=order_id, action=action, note=note
                )
            except DomainError as exc:
                self._check_refusal(order_id, order.version, exc)
                assert Order.objects.get(pk=order_id).status == order.status
                return
            assert (order.status, result.status, action) in EDGES
            assert result.version == order.version + 1
            self.versions[order_id] = result.version

        @rule(order_id=orders, pick=st.integers(min_value=0, max_value=9))
        def advance(self, order_id, pick):
            # random roles rarely hit a legal move; this walks orders deeper into the machine
            order = Order.objects.get(pk=order_id)
            legal = sorted((a, t) for s, t, a in EDGES if s == order.status)
            if not legal:
                return
            action, target = legal[pick % len(legal)]
            if action == "ship" and order.lines.filter(fulfilment="make").exists():
                action, target = ("cancel", "cancelled") if pick % 2 else ("start", "in_production")
                if order.status != "confirmed":
                    return
            result = order_transition(
                actor=users["admin"], order_id=order_id, action=action, note="推进"
            )
            assert (result.status, result.version) == (target, order.version + 1)
            self.versions[order_id] = result.version

        @invariant()
        def orders_are_consistent(self):
            for order_id, version in self.versions.items():
                order = Order.objects.get(pk=order_id)
                assert order.status in STATES
                assert order.version == version
                events = list(order.events.order_by("id"))
                moves = [e for e in events if e.to_status]
                assert moves[0].action == "created" and moves[0].to_status == "draft"
                assert moves[-1].to_status == order.status
                for prev, ev in itertools.pairwise(moves):
                    assert ev.from_status == prev.to_status
                    assert (ev.from_status, ev.to_status, ev.action) in EDGES
                for ev in moves:
                    field = TIMESTAMP_OF_STATUS.get(ev.to_status)
                    if field:
                        assert getattr(order, field) is not None, field
                lines = list(order.lines.all())
                assert all(ln.amount == _money(ln.quantity * ln.unit_price) for ln in lines)
                subtotal = sum((ln.amount for ln in lines), Decimal(0))
                discounted = subtotal * (1 - order.discount_rate / 100)
                tax = _money(discounted * order.tax_rate / 100)
                assert (order.subtotal, order.tax_amount, order.total_amount) == (
                    _money(subtotal),
                    tax,
                    _money(discounted) + tax,
                )

    run_state_machine_as_test(
        OrderMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
