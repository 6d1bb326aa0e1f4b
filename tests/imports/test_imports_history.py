"""Order history: past orders written closed, with their real dates, and nothing else set off."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import make_warehouse
from tests.imports.conftest import xlsx
from zhongshu.imports.models import ImportedOrder, ImportRow
from zhongshu.imports.services import batch_commit, batch_upload
from zhongshu.inventory.models import Shipment, ShipmentLine, StockLevel, StockMovement
from zhongshu.orders import hooks
from zhongshu.orders.models import Order, OrderEvent, OrderLine
from zhongshu.planning.forecast import booked_by_bucket

pytestmark = pytest.mark.django_db

HEADERS = ["订单号", "客户编码", "下单日期", "交期", "确认日期", "发货日期", "完成日期", "取消日期",
           "物料编码", "数量", "单价", "金额"]  # fmt: skip


def ago(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def rows():
    return [
        HEADERS,
        # shipped and completed, two lines
        ["H-1", "C-EAST", ago(400), ago(380), ago(399), ago(385), ago(383), "", "M-001", 10, 12, 120],
        ["H-1", "C-EAST", ago(400), ago(380), ago(399), ago(385), ago(383), "", "M-002", 4, "", 22],
        # cancelled
        ["H-2", "C-EAST", ago(300), ago(280), "", "", "", ago(298), "M-001", 3, "", ""],
        # shipped, completed the same day (no completion date)
        ["H-3", "C-EAST", ago(200), ago(190), "", ago(195), "", "", "M-002", 1, "5.5", ""],
    ]  # fmt: skip


def _upload(user, data, name="h.xlsx"):
    return batch_upload(actor=user, content=xlsx(data), name=name, kind="history")


def test_past_orders_are_closed_with_their_dates_and_a_marked_timeline(world, english):
    batch = _upload(world.sales, rows())
    assert (batch.total, batch.valid, batch.invalid) == (4, 4, 0)
    assert not Order.objects.exists()  # nothing before commit
    batch = batch_commit(actor=world.sales, batch_id=batch.pk, mode="all_or_nothing")
    assert (batch.status, batch.committed, batch.created_objects) == ("committed", 4, 3)
    h1, h2, h3 = (Order.objects.get(external_no=n) for n in ("H-1", "H-2", "H-3"))
    local = timezone.localtime
    assert h1.status == "completed" and h1.channel == "import"
    assert h1.number.startswith(f"SO-{(timezone.localdate() - dt.timedelta(days=400)).year}-")
    assert local(h1.created_at).date().isoformat() == ago(400)
    assert local(h1.confirmed_at).date().isoformat() == ago(399)
    assert local(h1.shipped_at).date().isoformat() == ago(385)
    assert local(h1.completed_at).date().isoformat() == ago(383)
    assert (h1.subtotal, h1.tax_amount, h1.total_amount) == (
        Decimal("142.00"), Decimal("18.46"), Decimal("160.46"),
    )  # fmt: skip
    assert [ln.unit_price for ln in h1.lines.all()] == [Decimal("12.00"), Decimal("5.50")]
    assert all(ln.shipped_quantity == ln.quantity for ln in h1.lines.all())
    assert h2.status == "cancelled" and local(h2.cancelled_at).date().isoformat() == ago(298)
    assert h2.shipped_at is None and h2.lines.get().shipped_quantity == 0
    assert (h3.status, local(h3.completed_at).date().isoformat()) == ("completed", ago(195))
    events = list(OrderEvent.objects.filter(order=h1).values_list("action", "to_status", "note"))
    assert events == [
        ("created", "draft", "Imported history"),
        ("confirm", "confirmed", "Imported history"),
        ("ship", "shipped", "Imported history"),
        ("complete", "completed", "Imported history"),
    ]
    assert [e.data for e in h2.events.all()] == [{"imported": True}] * 2
    assert Order.history.filter(id=h1.pk).count() == 1  # the audit trail has it
    # shipments dated when they happened, moving no stock
    shipments = Shipment.objects.order_by("number")
    assert [(s.order_id, local(s.shipped_at).date().isoformat()) for s in shipments] == [
        (h1.pk, ago(385)), (h3.pk, ago(195)),
    ]  # fmt: skip
    assert ShipmentLine.objects.filter(shipment__order=h1).count() == 2
    assert not StockMovement.objects.exists() and not StockLevel.objects.exists()


def test_same_file_again_creates_nothing(world):
    batch = _upload(world.sales, rows())
    batch_commit(actor=world.sales, batch_id=batch.pk, mode="valid_only")
    again = _upload(world.sales, rows())
    assert (again.valid, again.duplicate) == (0, 4)
    batch_commit(actor=world.sales, batch_id=again.pk, mode="valid_only")
    assert Order.objects.count() == 3 and ImportedOrder.objects.count() == 3
    assert Shipment.objects.count() == 2


def test_history_fires_no_hook(world, monkeypatch):
    calls = []
    for action in ("created", "confirm", "ship", "complete", "cancel"):
        # a listener of each order event, registered as a plug-in would; removed afterwards
        monkeypatch.setitem(hooks._after_commit, action, list(hooks._after_commit[action]))
        hooks.on_commit(action)(lambda ctx: calls.append(ctx.action))
    make_warehouse()
    batch = _upload(world.sales, rows())
    batch_commit(actor=world.sales, batch_id=batch.pk, mode="valid_only")
    assert Order.objects.count() == 3 and calls == []
    from zhongshu.notify.models import Message

    assert not Message.objects.exists()


def test_bad_rows_get_a_message_per_cell_and_hold_their_order_back(world, english):
    data = [
        HEADERS,
        # shipped before it was ordered
        ["B-1", "C-EAST", ago(50), ago(40), "", ago(60), "", "", "M-001", 1, "", ""],
        # neither shipped nor cancelled: not history
        ["B-2", "C-EAST", ago(50), ago(40), "", "", "", "", "M-001", 1, "", ""],
        # in the future
        ["B-3", "C-EAST", ago(-5), ago(-1), "", ago(-2), "", "", "M-001", 1, "", ""],
        # a bad date, and a second line of the same order held back
        ["B-4", "C-EAST", "2024年13月1日", ago(40), "", ago(45), "", "", "M-001", 1, "", ""],
        ["B-4", "C-EAST", "2024年13月1日", ago(40), "", ago(45), "", "", "M-002", 1, "", ""],
        # amount that does not match, unknown customer, cancelled and shipped
        ["B-5", "C-EAST", ago(50), ago(40), "", ago(45), "", "", "M-001", 2, "10", "25"],
        ["B-6", "C-NOPE", ago(50), ago(40), "", ago(45), "", "", "M-001", 1, "", ""],
        ["B-7", "C-EAST", ago(50), ago(40), "", ago(45), "", ago(44), "M-001", 1, "", ""],
        # rows of one order that disagree on the order date
        ["B-8", "C-EAST", ago(50), ago(40), "", ago(45), "", "", "M-001", 1, "", ""],
        ["B-8", "C-EAST", ago(51), ago(40), "", ago(45), "", "", "M-002", 1, "", ""],
        ["OK-1", "C-EAST", ago(50), ago(40), "", ago(45), "", "", "M-001", 1, "", ""],
    ]  # fmt: skip
    batch = _upload(world.sales, data)
    got = {
        (r.row_no, e["column"], e["message"])
        for r in ImportRow.objects.filter(batch=batch)
        for e in r.errors
    }
    past = (timezone.localdate() - dt.timedelta(days=60)).isoformat()
    assert got == {
        (2, "发货日期", f"Ship date {past} is before Order date {ago(50)}."),
        (3, "发货日期", "A past order is closed: give the day it shipped or completed, or the "
                    "day it was cancelled. Open orders go through the order import."),
        (4, "下单日期", f"{ago(-5)} is in the future; history ends today."),
        (4, "发货日期", f"{ago(-2)} is in the future; history ends today."),
        (5, "下单日期", "2024年13月1日 is not a real date."),
        (6, "下单日期", "2024年13月1日 is not a real date."),
        (7, "金额", "25.00 does not match quantity × unit price (20.00)."),
        (8, "客户编码", "Unknown customer, or not in your regions: C-NOPE"),
        (9, "取消日期", "A cancelled order cannot also be shipped or completed."),
        (11, "下单日期", f"Differs from row 10 of the same order ({ago(50)})."),
    }  # fmt: skip
    assert (batch.valid, batch.invalid, batch.blocked) == (1, 9, 1)
    batch_commit(actor=world.sales, batch_id=batch.pk, mode="valid_only")
    assert list(Order.objects.values_list("external_no", flat=True)) == ["OK-1"]


def test_the_forecast_reads_history(world):
    batch = _upload(world.sales, rows())
    batch_commit(actor=world.sales, batch_id=batch.pk, mode="valid_only")
    start = timezone.localdate() - dt.timedelta(days=500)
    booked = booked_by_bucket("month", start, timezone.localdate(), finished_only=False)
    # completed orders count by due month; the cancelled one does not
    assert sum(sum(v.values()) for v in booked.values()) == Decimal("15")
    assert OrderLine.objects.count() == 4


def test_in_chinese_the_timeline_says_imported_history_and_errors_name_the_cell(world):
    data = [
        HEADERS,
        ["Z-1", "C-EAST", ago(30), ago(20), "", ago(25), "", "", "M-001", 1, "", ""],
        ["Z-2", "C-EAST", ago(30), ago(20), "", ago(-3), "", "", "M-001", 1, "", ""],
    ]
    batch = _upload(world.sales, data)
    bad = ImportRow.objects.get(batch=batch, row_no=3)
    assert bad.errors == [
        {"column": "发货日期", "message": f"{ago(-3)} 晚于今天；历史记录只能到今天为止。"}
    ]
    batch_commit(actor=world.sales, batch_id=batch.pk, mode="valid_only")
    order = Order.objects.get(external_no="Z-1")
    assert set(order.events.values_list("note", flat=True)) == {"导入的历史"}
