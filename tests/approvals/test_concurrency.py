"""Two approvers pressing approve at the same moment: one decision wins, the change is applied
once. Real threads on PostgreSQL (SQLite serialises writers anyway)."""

import pytest

from tests.approvals.conftest import make_flow, order_for, step
from tests.support.threads import needs_concurrent_writers, race
from zhongshu.approvals import services
from zhongshu.approvals.models import Decision
from zhongshu.core.errors import DomainError
from zhongshu.inventory.models import Reservation
from zhongshu.orders.models import OrderEvent


def _both_managers_approve_at_once(world, req) -> list[str]:
    """Two managers press approve in the same instant, each on its own connection; returns "ok"
    or the refusal's code per press."""

    def press(user):
        def approve():
            services.request_decide(actor=user, request_id=req.pk, verdict="approve")
            return "ok"

        return approve

    outcomes = race(*(press(world[u]) for u in ("manager", "manager2")))
    for outcome in outcomes:
        if isinstance(outcome, Exception) and not isinstance(outcome, DomainError):
            raise outcome
    return [o.code if isinstance(o, DomainError) else o for o in outcomes]


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_the_same_moment_one_wins(world):
    needs_concurrent_writers("needs PostgreSQL row locks between real connections")
    order = order_for(world, status="confirmed", bolts="10", shafts="4")
    make_flow(world["admin"], ["design_change"], [step("经理", role="manager")])
    req = services.request_create(
        actor=world["sales"], order_id=order.pk, kind="design_change", reason="改量",
        payload={"lines": [{"line_no": 1, "quantity": "20"}]},
    )  # fmt: skip
    outcomes = _both_managers_approve_at_once(world, req)
    # then exactly one decision, one change on the timeline, the reservation moved once
    assert sorted(outcomes) == ["ok", "request_not_pending"]
    assert Decision.objects.filter(request=req).count() == 1
    assert OrderEvent.objects.filter(order=order, action="changed").count() == 1
    held = sum(r.quantity for r in Reservation.objects.filter(order=order, status="active"))
    assert held == 20


@pytest.mark.django_db(transaction=True)
def test_all_must_approve_at_the_same_moment_applies_the_change_once(world):
    needs_concurrent_writers("needs PostgreSQL row locks between real connections")
    order = order_for(world, status="confirmed", bolts="10", shafts="4")
    make_flow(world["admin"], ["design_change"], [step("经理", role="manager", mode="all")])
    req = services.request_create(
        actor=world["sales"], order_id=order.pk, kind="design_change", reason="改量",
        payload={"lines": [{"line_no": 1, "quantity": "20"}]},
    )  # fmt: skip
    outcomes = _both_managers_approve_at_once(world, req)
    # both decisions count; whoever came second completed the step and applied the change, once
    assert outcomes == ["ok", "ok"]
    req.refresh_from_db()
    assert req.status == "approved"
    assert Decision.objects.filter(request=req).count() == 2
    assert OrderEvent.objects.filter(order=order, action="changed").count() == 1
    held = sum(r.quantity for r in Reservation.objects.filter(order=order, status="active"))
    assert held == 20
