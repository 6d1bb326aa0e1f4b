"""Any interleaving of our moves, T+-side moves, syncs and posting failures keeps
available = T+ on-hand − unposted issues + unposted receipts − reserved (once a sync has seen
T+'s own moves), never holds less than confirmed orders reserved, and never posts twice."""

import datetime as dt
from decimal import Decimal

import httpx
import pytest
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import MaterialFactory, make_user, make_warehouse
from zhongshu.core.errors import DomainError
from zhongshu.inventory import posting, tplus
from zhongshu.inventory.erp.tplus import TplusConnector
from zhongshu.inventory.models import ErpPosting, Reservation, StockLevel
from zhongshu.inventory.services import shipment_create, stock_adjust, stock_receive
from zhongshu.inventory.tplus_simulator import TplusSimulator
from zhongshu.orders.models import OrderLine
from zhongshu.orders.services import order_create, order_transition

CODES = ["PX-A", "PX-B"]
QTY = st.sampled_from(["1", "2", "3.5", "6"])
step = st.one_of(
    st.tuples(st.just("receive"), st.sampled_from(CODES), QTY),
    st.tuples(st.just("adjust"), st.sampled_from(CODES), QTY, st.booleans()),
    st.tuples(st.just("order"), st.sampled_from(CODES), QTY),
    st.tuples(st.just("order"), st.just("both"), QTY),  # a two-line order: one 销货单 of two lines
    st.tuples(st.just("ship"), st.integers(0, 5)),
    st.tuples(st.just("tplus_move"), st.sampled_from(CODES), st.sampled_from(["-2", "3", "-5"])),
    st.tuples(st.just("sync")),
    st.tuples(st.just("drain")),
    st.tuples(st.just("mode"), st.sampled_from(["ok", "down", "expired", "garbage", "lost_reply"])),
)


class Rollback(Exception):
    pass


@pytest.fixture
def cast(db, east, customer_east, settings):
    settings.TPLUS_BASE_URL = "http://tplus.sim"
    for k, v in {"TPLUS_APP_KEY": "k", "TPLUS_APP_SECRET": "s", "TPLUS_OPEN_TOKEN": "t"}.items():
        setattr(settings, k, v)
    return {
        "sales": make_user("sales", regions=("华东",)),
        "planner": make_user("planner"),
        "keeper": make_user("warehouse"),
        "customer": customer_east,
    }


def _owed() -> dict[str, Decimal]:
    """Per material, what confirmed orders' stock lines still owe."""
    rows = (
        OrderLine.objects.filter(order__status="confirmed", fulfilment="stock")
        .values("material__code")
        .annotate(q=Sum(F("quantity") - F("shipped_quantity")))
    )
    return {r["material__code"]: r["q"] for r in rows}


def _not_in_tplus(sim) -> dict[int, Decimal]:
    """Per level, the moves T+ really does not hold (a document whose reply was lost is in T+
    although it still waits here; the sync settles that before it counts)."""
    out: dict[int, Decimal] = {}
    for p in ErpPosting.objects.exclude(status="posted"):
        if p.external_code not in sim.documents:
            out[p.level_id] = out.get(p.level_id, Decimal(0)) + p.on_hand_delta
    return out


def _check(sim, dirty: set[str]):
    unposted = _not_in_tplus(sim)
    owed = _owed()
    for level in StockLevel.objects.select_related("material", "warehouse"):
        held = Reservation.objects.filter(level=level, status="active").aggregate(s=Sum("quantity"))
        assert level.reserved == (held["s"] or Decimal(0))
        # confirmed orders keep exactly what they still owe, and available never goes below 0
        assert level.reserved == owed.get(level.material.code, Decimal(0))
        assert 0 <= level.reserved <= level.on_hand
        code = level.material.code
        if code in dirty:
            continue
        expected = sim.on_hand(level.warehouse.code, code) + unposted.get(level.id, 0)
        if level.oversold_risk:
            # T+ has less than orders hold: on-hand kept at the holds, nothing shown available
            assert (
                level.on_hand == level.reserved
                and level.tplus_on_hand + unposted.get(level.id, 0) < level.reserved
            )
            continue
        # available = T+ on-hand − unposted issues + unposted receipts − reservations
        assert level.on_hand - level.reserved == expected - level.reserved
    assert len(sim.accepted) == len(set(sim.accepted))
    posted = set(ErpPosting.objects.filter(status="posted").values_list("external_code", flat=True))
    assert posted - {"opening"} <= set(sim.accepted) | _opening()


def _opening():
    return set(ErpPosting.objects.filter(payload__memo="opening").values_list(
        "external_code", flat=True))  # fmt: skip


def _run(cast, steps):
    sim = TplusSimulator(app_key="k", app_secret="s", open_token="t")
    sim.add_customer(cast["customer"].code)
    conn = lambda: TplusConnector(transport=httpx.WSGITransport(app=sim))  # noqa: E731
    make_warehouse()
    for code in CODES:
        MaterialFactory(code=code)
        stock_receive(actor=cast["keeper"], material=code, quantity="10", reason="opening")
        sim.set_stock("01", code, 10)
    ErpPosting.objects.update(status="posted")
    dirty: set[str] = set()
    orders: list[int] = []
    clock = timezone.now()
    for s in steps:
        kind = s[0]
        try:
            if kind == "receive":
                stock_receive(actor=cast["keeper"], material=s[1], quantity=s[2])
            elif kind == "adjust":
                qty = Decimal(s[2]) * (1 if s[3] else -1)
                stock_adjust(actor=cast["keeper"], material=s[1], quantity=qty, reason="盘点")
            elif kind == "order":
                codes = CODES if s[1] == "both" else [s[1]]
                order = order_create(actor=cast["sales"], customer=cast["customer"].code,
                                     due_date=timezone.localdate() + dt.timedelta(days=30),
                                     lines=[{"material": c, "quantity": s[2]} for c in codes])  # fmt: skip
                order_transition(actor=cast["sales"], order_id=order.pk, action="submit")
                orders.append(order.pk)
                order_transition(actor=cast["planner"], order_id=order.pk, action="confirm")
            elif kind == "ship" and orders:
                shipment_create(actor=cast["keeper"], order_id=orders[s[1] % len(orders)])
            elif kind == "tplus_move":
                if sim.on_hand("01", s[1]) + Decimal(s[2]) >= 0:
                    sim.manual_change("01", s[1], s[2], who="T+ 用户")
                    dirty.add(s[1])
            elif kind == "sync":
                changed_before = dirty.copy()
                run = tplus.tplus_sync(client=conn())
                if run.ok:
                    dirty.clear()
                    if not changed_before:
                        risky = StockLevel.objects.filter(oversold_risk=True).exists()
                        assert run.changed == 0 or risky  # a sync never undoes our own move
            elif kind == "drain":
                clock += dt.timedelta(hours=1)
                posting.drain(connector=conn(), now=clock)
            elif kind == "mode":
                sim.mode = s[1]
        except DomainError:
            pass
        _check(sim, dirty)
    sim.mode = "ok"
    posting.drain(connector=conn(), now=clock + dt.timedelta(days=1))
    assert len(sim.accepted) == len(set(sim.accepted))
    # once everything is posted and synced, both sides agree exactly
    assert tplus.tplus_sync(client=conn()).ok
    _check(sim, set())


# derandomize: the same interleavings on every run, plus the ones a random run once found
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=14))
# T+ down, a count books −6 here, T+ issues 5 by itself: 10 − 6 − 5 is below zero — kept at 0,
# flagged, not shown as −1 or silently as 0
@example(steps=[("mode", "down"), ("adjust", "PX-A", "6", False), ("tplus_move", "PX-A", "-5"),
                ("sync",)])  # fmt: skip
def test_available_follows_tplus_minus_unposted_moves(cast, steps):
    try:
        with transaction.atomic():
            _run(cast, steps)
            raise Rollback
    except Rollback:
        pass
