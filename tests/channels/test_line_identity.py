"""Later versions of a converted channel order are matched line by line through the platform's own
line ids (Taobao sub-order ``oid``, Douyin sku order id), not by position: a platform that
reorders its lines, drops one in the middle or adds one changes exactly that on the internal
order. And a person's edit of an order is never overwritten by the platform (real HTTP to the
simulators)."""

import datetime as dt

import pytest

from tests.factories import make_user, make_warehouse, put_stock
from zhongshu.channels.exceptions import HeldByRefund
from zhongshu.channels.models import ChannelException, ChannelOrder
from zhongshu.channels.sync import sync_account
from zhongshu.inventory.models import Reservation
from zhongshu.inventory.services import shipment_create
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_transition, order_update

pytestmark = pytest.mark.django_db

KINDS = ["taobao", "douyin"]


@pytest.fixture(params=KINDS)
def shop(request, mapped):
    """(account, simulator) of each platform."""
    kind = request.param
    return request.getfixturevalue(f"{kind}_account"), request.getfixturevalue(f"{kind}_sim")


def _line(i, qty):
    return (f"50{i}", f"OUT-{i}", f"法兰{i}", qty, "9.90")


def ago(seconds):
    """A platform time before now (changes a second or more apart, as the sync window sees)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=seconds)


def _pull(shop, *lines):
    account, sim = shop
    tid = sim.add_order(lines=list(lines), modified=ago(60))
    sync_account(account.pk)
    return tid, Order.objects.get(external_no=tid)


def _change(shop, tid, *lines, when=30):
    account, sim = shop
    sim.change_order(tid, lines=list(lines), modified=ago(when))
    sync_account(account.pk)


def _lines(order):
    """line number → (material, quantity) of the internal order now."""
    return {
        ln.line_no: (ln.material.code, int(ln.quantity))
        for ln in order.lines.select_related("material")
    }


def _open(reason=None):
    qs = ChannelException.objects.filter(resolved_at__isnull=True)
    return list(qs.filter(reason=reason) if reason else qs)


THREE = {1: ("CH-0", 1), 2: ("CH-1", 2), 3: ("CH-2", 3)}


def test_lines_reordered_on_the_platform_change_nothing(shop):
    # given an order of three lines, pending review
    tid, order = _pull(shop, _line(0, 1), _line(1, 2), _line(2, 3))
    assert _lines(order) == THREE
    # when the platform lists the same lines in another order
    _change(shop, tid, _line(2, 3), _line(0, 1), _line(1, 2))
    # then nothing changed: no entry, no exception, no difference shown
    assert _lines(order) == THREE
    assert not order.events.filter(action="channel_changed").exists() and _open() == []
    # and a later quantity change of the reordered line reaches the right internal line
    _change(shop, tid, _line(2, 3), _line(0, 1), _line(1, 5), when=20)
    assert _lines(order) == {1: ("CH-0", 1), 2: ("CH-1", 5), 3: ("CH-2", 3)}
    event = order.events.get(action="channel_changed")
    assert event.data["after"] == {"line 2": {"quantity": "5.000"}}


def test_a_line_removed_in_the_middle_removes_that_line_only(shop):
    tid, order = _pull(shop, _line(0, 1), _line(1, 2), _line(2, 3))
    _change(shop, tid, _line(0, 1), _line(2, 3))
    assert _lines(order) == {1: ("CH-0", 1), 3: ("CH-2", 3)}
    event = order.events.get(action="channel_changed")
    assert event.data["after"] == {"line 2": None} and _open() == []


def test_a_line_added_in_the_middle_is_added_and_followed_later(shop):
    tid, order = _pull(shop, _line(0, 1), _line(1, 2))
    _change(shop, tid, _line(0, 1), _line(3, 4), _line(1, 2))
    assert _lines(order) == {1: ("CH-0", 1), 2: ("CH-1", 2), 3: ("CH-3", 4)}
    # the new line's id is remembered: its later change reaches internal line 3
    _change(shop, tid, _line(0, 1), _line(3, 6), _line(1, 2), when=20)
    assert _lines(order) == {1: ("CH-0", 1), 2: ("CH-1", 2), 3: ("CH-3", 6)}
    co = ChannelOrder.objects.get(external_id=tid)
    assert sorted(co.line_ids.values()) == [1, 2, 3] and _open() == []


def test_a_refund_of_the_second_line_after_the_first_was_removed(shop):
    # given a confirmed order of three lines whose first line the platform dropped while the
    # order was pending review
    account, sim = shop
    make_warehouse()
    tid, order = _pull(shop, _line(0, 1), _line(1, 2), _line(2, 3))
    _change(shop, tid, _line(1, 2), _line(2, 3), when=40)
    assert _lines(order) == {2: ("CH-1", 2), 3: ("CH-2", 3)}
    for code in ("CH-1", "CH-2"):
        put_stock(order.lines.get(material__code=code).material, 50)
    order_transition(actor=make_user("planner"), order_id=order.pk, action="confirm")
    # when the buyer gets the (original) second line refunded — now the platform's first line
    sim.refund_line(tid, 0, "refunded", modified=ago(30))
    sync_account(account.pk)
    # then exactly that line goes, with its reservation; the third line stays as it was
    order.refresh_from_db()
    assert _lines(order) == {3: ("CH-2", 3)} and order.status == "confirmed"
    assert list(
        Reservation.objects.filter(order=order, status="active").values_list(
            "order_line__line_no", flat=True
        )
    ) == [3]
    assert _open() == []


def test_a_pending_refund_after_a_reorder_holds_the_right_line(shop):
    account, sim = shop
    make_warehouse()
    tid, order = _pull(shop, _line(0, 1), _line(1, 2))
    _change(shop, tid, _line(1, 2), _line(0, 1), when=40)
    for line in order.lines.select_related("material"):
        put_stock(line.material, 50)
    order_transition(actor=make_user("planner"), order_id=order.pk, action="confirm")
    # the platform's first line is now the internal line 2 (CH-1)
    sim.refund_line(tid, 0, "pending", modified=ago(30))
    sync_account(account.pk)
    assert ChannelOrder.objects.get(external_id=tid).held_lines == [2]
    with pytest.raises(HeldByRefund) as refused:
        shipment_create(actor=make_user("warehouse"), order_id=order.pk, carrier="中通",
                        tracking_no="ZT1")  # fmt: skip
    assert refused.value.details == {"lines": [2]}


def test_without_line_ids_lines_are_matched_by_position(shop):
    # a payload that names no line ids: line n is the platform's line n, as before
    _account, sim = shop
    sim.line_ids = False
    tid, order = _pull(shop, _line(0, 1), _line(1, 2))
    assert ChannelOrder.objects.get(external_id=tid).line_ids == {}
    _change(shop, tid, _line(0, 1), _line(1, 7))
    assert _lines(order) == {1: ("CH-0", 1), 2: ("CH-1", 7)}
    # a reorder without ids cannot be told from a change: it is applied as one, never silent
    _change(shop, tid, _line(1, 7), _line(0, 1), when=20)
    assert sorted(_lines(order).values()) == [("CH-0", 1), ("CH-1", 7)]
    assert order.events.filter(action="channel_changed").count() == 2


# --- a person's edit is not overwritten ----------------------------------------------------------


def test_a_platform_change_after_a_persons_edit_becomes_an_exception(shop):
    # given an order pending review that a sales user edited by hand
    account, sim = shop
    tid, order = _pull(shop, _line(0, 5), _line(1, 2))
    editor = make_user("admin", username="editor1")
    order_update(actor=editor, order_id=order.pk, version=order.version,
                 data={"note": "客户电话确认：改为6件", "lines": [
                     {"material": "CH-0", "quantity": "6", "unit_price": "9.90"},
                     {"material": "CH-1", "quantity": "2", "unit_price": "9.90"}]})  # fmt: skip
    # when the platform then changes the first line's quantity to 9
    sim.change_order(tid, quantities={0: 9}, modified=ago(30))
    sync_account(account.pk)
    # then the person's edit stands and the difference waits as a change exception naming them
    order.refresh_from_db()
    assert _lines(order) == {1: ("CH-0", 6), 2: ("CH-1", 2)}
    assert not order.events.filter(action="channel_changed").exists()
    (exc,) = _open("change")
    assert "6 → 9" in exc.detail and "editor1" in exc.detail
    # a refund on the edited order is shown too, not applied
    sim.refund_line(tid, 1, "refunded", modified=ago(20))
    sync_account(account.pk)
    assert order.lines.count() == 2
    (refund,) = _open("refund")
    assert "editor1" in refund.detail
    # and a replay adds nothing
    sync_account(account.pk)
    assert len(_open()) == 2


def test_an_unedited_order_still_takes_the_platform_change(shop):
    # the same change without a person's edit is applied (the edit above is what stops it)
    account, sim = shop
    tid, order = _pull(shop, _line(0, 5), _line(1, 2))
    sim.change_order(tid, quantities={0: 9}, modified=ago(30))
    sync_account(account.pk)
    assert _lines(order) == {1: ("CH-0", 9), 2: ("CH-1", 2)} and _open() == []


def test_a_package_after_a_reorder_names_the_right_sub_order(
    shop, django_capture_on_commit_callbacks
):
    # given an order whose two lines the platform reordered before it was confirmed
    account, sim = shop
    make_warehouse()
    tid, order = _pull(shop, _line(0, 2), _line(1, 3))
    first, second = sim.sub_ids(tid)
    _change(shop, tid, _line(1, 3), _line(0, 2), when=40)
    assert sim.sub_ids(tid) == [second, first]
    for line in order.lines.select_related("material"):
        put_stock(line.material, 50)
    order_transition(actor=make_user("planner"), order_id=order.pk, action="confirm")
    # when internal line 1 (CH-0, the platform's second line now) leaves alone in a package
    with django_capture_on_commit_callbacks(execute=True):
        shipment_create(actor=make_user("warehouse"), order_id=order.pk, carrier="SF",
                        tracking_no="SF-1", lines=[{"line_no": 1, "quantity": 2}])  # fmt: skip
    # then the platform hears of that line's own sub-order, with its quantity
    (sent,) = sim.logistics
    if account.kind == "taobao":
        assert sent["sub_tid"] == [first]
    else:
        assert sent["packs"] == [(first, 2)]
