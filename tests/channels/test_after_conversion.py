"""After a channel order became an internal order, every later version is handled or shown:
changes applied while the order is editable, a change request and an exception once it is
released, per-line refunds before and after work started, pending refunds holding shipping, and
carriers reported by the platform's code only (real HTTP to the simulators)."""

import datetime as dt

import pytest

from tests.factories import MaterialFactory, make_user, make_warehouse, put_stock
from zhongshu.approvals import services as approvals
from zhongshu.approvals.models import Request
from zhongshu.catalog.models import Fulfilment
from zhongshu.channels import logistics, services
from zhongshu.channels.exceptions import ChannelError, HeldByRefund
from zhongshu.channels.models import (
    Carrier,
    ChannelException,
    ChannelOrder,
    LogisticsReport,
    SkuMapping,
)
from zhongshu.channels.sync import sync_account
from zhongshu.inventory.models import Reservation
from zhongshu.inventory.services import shipment_create
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_transition
from zhongshu.production.models import Task
from zhongshu.production.services import task_start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def committed(django_capture_on_commit_callbacks, monkeypatch):
    """The test runs in one transaction: run the shipment's after-commit hooks when it returns."""
    real = shipment_create

    def shipped(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return real(**kwargs)

    monkeypatch.setitem(globals(), "shipment_create", shipped)


def _line(i, qty):
    return (f"50{i}", f"OUT-{i}", f"法兰{i}", qty, "9.90")


def ago(seconds):
    """A platform time before now (changes a second or more apart, as the sync window sees)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=seconds)


def _pull(account, sim, *lines):
    tid = sim.add_order(lines=list(lines), modified=ago(60))
    sync_account(account.pk)
    return tid, Order.objects.get(external_no=tid)


def _open(reason=None):
    qs = ChannelException.objects.filter(resolved_at__isnull=True)
    return list(qs.filter(reason=reason) if reason else qs)


def _confirmed(account, sim, mapped, *lines):
    make_warehouse()
    for m in mapped:
        put_stock(m, 50)
    tid, order = _pull(account, sim, *lines)
    order_transition(actor=make_user("planner"), order_id=order.pk, action="confirm")
    return tid, order


# --- changes after conversion --------------------------------------------------------------------


def test_a_change_while_the_order_is_editable_is_applied_with_a_channel_entry(
    taobao_account, taobao_sim, mapped, client
):
    # given a paid trade of 5 pulled into an order still pending review
    tid, order = _pull(taobao_account, taobao_sim, _line(0, 5))
    assert order.status == "pending_review"
    # when the buyer changes the quantity to 9 and leaves a note, and the next sync sees it
    taobao_sim.change_order(tid, quantities={0: 9}, note="请周五前发", modified=ago(30))
    run = sync_account(taobao_account.pk)
    # then the internal order says 9, with one "changed by channel" entry naming the note
    line = order.lines.get()
    assert line.quantity == 9
    event = order.events.get(action="channel_changed")
    assert event.data["after"]["line 1"] == {"quantity": "9.000"}
    assert event.data["channel"]["buyer_note"] == {"before": "", "after": "请周五前发"}
    assert run.updated == 1 and _open() == []
    # and a replay of the same version changes nothing more
    sync_account(taobao_account.pk)
    assert order.events.filter(action="channel_changed").count() == 1
    # the order's timeline names it
    client.force_login(make_user("admin"))
    assert "渠道变更" in client.get(f"/orders/{order.pk}/").content.decode()


def test_a_change_in_production_becomes_a_change_request_and_an_exception(
    taobao_account, taobao_sim, mapped
):
    # given a design-change flow and a confirmed order of 5
    approvals.flow_create(actor=make_user("admin"), data={
        "name": "设计变更", "kinds": ["design_change"],
        "steps": [{"name": "经理", "role": "manager", "users": [], "mode": "any",
                   "when": "always", "condition": {}}]})  # fmt: skip
    make_user("manager")
    tid, order = _confirmed(taobao_account, taobao_sim, mapped, _line(0, 5))
    # when the platform's order changes to 9
    taobao_sim.change_order(tid, quantities={0: 9}, modified=ago(30))
    sync_account(taobao_account.pk)
    # then the order still says 5, a change request for 9 waits, and the owner sees an exception
    assert order.lines.get().quantity == 5
    request = Request.objects.get(order=order, kind="design_change", status="pending")
    assert request.payload == {"lines": [{"line_no": 1, "quantity": "9"}]}
    (exc,) = _open("change")
    assert "5 → 9" in exc.detail and str(request.pk) in exc.detail
    # and a replay adds neither a second request nor a second exception
    sync_account(taobao_account.pk)
    assert Request.objects.filter(order=order).count() == 1 and len(_open()) == 1


def test_an_address_change_after_release_is_shown_not_dropped(douyin_account, douyin_sim, mapped):
    did, order = _confirmed(douyin_account, douyin_sim, mapped, _line(1, 2))
    douyin_sim.change_order(did, street="人民路8号", modified=ago(30))
    sync_account(douyin_account.pk)
    (exc,) = _open("change")
    assert "人民路8号" in exc.detail
    assert Request.objects.filter(order=order).count() == 0  # not a change approvals can apply


def test_an_agent_sheet_sent_again_with_other_quantities_changes_the_order(east, chan_admin,
                                                                           mapped, client):  # fmt: skip
    account, key = services.account_create(actor=chan_admin, kind="agent", name="代理甲",
                                             default_region="华东")  # fmt: skip
    SkuMapping.objects.create(channel="agent", channel_sku="A-1", material=mapped[0])
    sheet = "外部单号,商品编码,数量,单价,买家\nWX-001,A-1,{q},10,张三\n"
    first = services.agent_upload(account=account, filename="a.csv",
                                  content=sheet.format(q=5).encode())  # fmt: skip
    assert first["ordered"] == 1
    again = services.agent_upload(account=account, filename="a.csv",
                                  content=sheet.format(q=9).encode())  # fmt: skip
    order = Order.objects.get(external_no="WX-001")
    assert again["changed"] == 1 and order.lines.get().quantity == 9
    same = services.agent_upload(account=account, filename="a.csv",
                                 content=sheet.format(q=9).encode())  # fmt: skip
    assert same["changed"] == 0 and same["flagged"] == 0
    # over the API: the answer says the order changed, and it did
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post("/api/v1/channels/agent/orders", headers={"X-Agent-Key": key},
                    data={"file": SimpleUploadedFile("a.csv", sheet.format(q=7).encode())})  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["changed"] == 1 and order.lines.get().quantity == 7


# --- refunds per line ----------------------------------------------------------------------------


def test_a_refunded_line_before_work_is_removed_and_its_stock_released(
    taobao_account, taobao_sim, mapped
):
    tid, order = _confirmed(taobao_account, taobao_sim, mapped, _line(0, 2), _line(1, 3))
    line2 = order.lines.get(line_no=2)
    assert Reservation.objects.get(order_line=line2).status == "active"
    taobao_sim.refund_line(tid, 1, "refunded", modified=ago(30))
    sync_account(taobao_account.pk)
    order.refresh_from_db()
    assert [ln.line_no for ln in order.lines.all()] == [1] and order.status == "confirmed"
    assert not Reservation.objects.filter(order=order, status="active", quantity=3).exists()
    assert _open() == []


def test_a_douyin_after_sales_refund_of_one_line_removes_it(douyin_account, douyin_sim, mapped):
    did, order = _confirmed(douyin_account, douyin_sim, mapped, _line(0, 2), _line(1, 1))
    douyin_sim.refund_line(did, 0, "refunded", modified=ago(30))
    sync_account(douyin_account.pk)
    assert [ln.line_no for ln in order.lines.all()] == [2]
    assert order.events.filter(action="channel_changed").count() == 1
    assert _open() == []


def test_a_refunded_line_whose_work_started_raises_an_exception(taobao_account, taobao_sim,
                                                                mapped):  # fmt: skip
    made = MaterialFactory(code="CH-MK", fulfilment=Fulfilment.MAKE, standard_price="10")
    SkuMapping.objects.create(channel="taobao", channel_sku="590", material=made)
    tid, order = _confirmed(taobao_account, taobao_sim, mapped, _line(0, 2),
                            ("590", "OUT-9", "定制件", 1, "99.00"))  # fmt: skip
    task = Task.objects.filter(order=order).order_by("id").first()
    task_start(actor=make_user("admin"), task_id=task.pk)
    taobao_sim.refund_line(tid, 1, "refunded", modified=ago(30))
    sync_account(taobao_account.pk)
    assert order.lines.count() == 2  # nothing silently removed under running work
    (exc,) = _open("refund")
    assert "2" in exc.title


def test_a_pending_refund_holds_the_line_from_shipping_until_refused(taobao_account, taobao_sim,
                                                                     mapped):  # fmt: skip
    tid, order = _confirmed(taobao_account, taobao_sim, mapped, _line(0, 2))
    taobao_sim.refund_line(tid, 0, "pending", modified=ago(30))
    sync_account(taobao_account.pk)
    assert ChannelOrder.objects.get(external_id=tid).held_lines == [1]
    with pytest.raises(HeldByRefund):
        shipment_create(actor=make_user("warehouse"), order_id=order.pk, carrier="中通",
                        tracking_no="ZT1")  # fmt: skip
    assert taobao_sim.logistics_calls == 0
    taobao_sim.refund_line(tid, 0, "refused", modified=ago(20))
    sync_account(taobao_account.pk)
    shipment_create(actor=make_user("warehouse"), order_id=order.pk, carrier="中通",
                    tracking_no="ZT1")  # fmt: skip
    assert taobao_sim.logistics == [{"tid": tid, "out_sid": "ZT1", "company": "ZTO"}]


# --- carrier codes -------------------------------------------------------------------------------


def test_an_unmapped_carrier_is_held_as_an_exception_and_sent_once_mapped(
    taobao_account, taobao_sim, mapped
):
    tid, order = _confirmed(taobao_account, taobao_sim, mapped, _line(0, 1))
    shipment_create(actor=make_user("warehouse"), order_id=order.pk, carrier="小马快运",
                    tracking_no="XM1")  # fmt: skip
    # nothing went to the platform, the report waits and a person sees why
    assert taobao_sim.logistics_calls == 0
    assert LogisticsReport.objects.get().status == "held"
    (exc,) = _open("carrier")
    assert exc.title == "小马快运"
    # the platform lists the carrier; a refresh brings it in and a mapping releases the report
    taobao_sim.carriers.append(("XMKY", "小马快运"))
    assert services.carriers_refresh(actor=make_user("admin"),
                                     account_id=taobao_account.pk)["added"] == 1  # fmt: skip
    assert Carrier.objects.filter(channel="taobao", code="XMKY").exists()
    with pytest.raises(services.ValidationFailed):
        services.carrier_mapping_save(
            actor=make_user("sales"), data={"name": "小马快运", "channel": "taobao", "code": "小马"}
        )
    result = services.carrier_mapping_save(
        actor=make_user("sales"), data={"name": "小马快运", "channel": "taobao", "code": "XMKY"}
    )
    assert result["released"] == 1
    logistics.deliver()
    assert taobao_sim.logistics == [{"tid": tid, "out_sid": "XM1", "company": "XMKY"}]
    assert _open() == []
    # and once only
    logistics.deliver()
    assert taobao_sim.logistics_calls == 1


def test_the_simulators_refuse_a_name_where_a_code_belongs(taobao_account, douyin_account,
                                                           taobao_sim, douyin_sim):  # fmt: skip
    tid = taobao_sim.add_order(lines=[_line(0, 1)])
    did = douyin_sim.add_order(lines=[_line(0, 1)])
    with pytest.raises(ChannelError):
        services.client_for(taobao_account).logistics_send(tid=tid, out_sid="1",
                                                           company_code="中通")  # fmt: skip
    with pytest.raises(ChannelError):
        services.client_for(douyin_account).logistics_send(tid=did, out_sid="1",
                                                           company_code="ZTO")  # fmt: skip
    assert taobao_sim.logistics == [] and douyin_sim.logistics == []


def test_carrier_mappings_over_the_api(client, taobao_account, taobao_sim, chan_admin):
    client.force_login(chan_admin)
    r = client.post("/api/v1/channels/carrier-mappings",
                    {"name": "中通速递", "channel": "taobao", "code": "ZTO"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 201, r.content
    assert r.json()["code"] == "ZTO"
    bad = client.post("/api/v1/channels/carrier-mappings",
                      {"name": "中通速递", "channel": "taobao", "code": "中通"},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 422
    listed = client.get("/api/v1/channels/carrier-mappings").json()
    assert {"name": "中通速递", "code": "ZTO"}.items() <= next(
        m for m in listed if m["name"] == "中通速递"
    ).items()
    page = client.get("/channels/carriers/")
    assert page.status_code == 200 and "中通速递" in page.content.decode()
    taobao_sim.carriers.append(("FWX", "丰网速运"))
    r = client.post(f"/channels/carriers/refresh/{taobao_account.pk}/")
    assert r.status_code == 302 and Carrier.objects.filter(channel="taobao", code="FWX").exists()
