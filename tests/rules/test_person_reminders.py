"""The shipped reminders reach the named people in person: the "due in 3 days and not started"
rule messages each supervisor through the factory's chat app, and a purchasing follow-up tells the
purchasing people — through the app when it knows them, in their inbox when it does not."""

import pytest

from tests.factories import MaterialFactory, make_order, make_user
from tests.notify.conftest import configure_app, start_app_simulator
from zhongshu.accounts.services import contact_update
from zhongshu.notify.app_simulators import ChatAppSimulator
from zhongshu.notify.delivery import deliver_due
from zhongshu.notify.models import Message
from zhongshu.orders.services import order_transition
from zhongshu.rules.exceptions import RuleBlocked
from zhongshu.rules.services import run_deferred


@pytest.fixture
def wecom_app(db):
    sim = start_app_simulator(
        ChatAppSimulator("wecom", users={"zhang.sup": "u1", "qian.buy": "u2"})
    )
    configure_app(sim)
    yield sim
    sim.stop()


def _person(role: str, username: str, wecom: str = ""):
    user = make_user(role, username=username)
    if wecom:
        contact_update(actor=user, user_id=user.pk, wecom_userid=wecom)
    return user


def test_due_soon_reminder_reaches_each_supervisor_in_the_app(
    wecom_app, customer_east, django_capture_on_commit_callbacks
):
    sales = make_user("sales", regions=("华东",))
    _person("supervisor", "zhang", "zhang.sup")
    MaterialFactory(code="MOLD-9", fulfilment="make")
    with django_capture_on_commit_callbacks(execute=True):
        soon = make_order(
            actor=sales, customer=customer_east, due_in_days=2, status="confirmed",
            lines=[{"material": "MOLD-9", "quantity": "1", "unit_price": "100"}],
        )  # fmt: skip
    [msg] = Message.objects.filter(channel="wecom_app")
    assert msg.recipient.username == "zhang" and msg.order_id == soon.pk
    deliver_due()
    [got] = wecom_app.delivered
    assert got.to == "zhang.sup" and soon.number in got.text and "还剩 2 天" in got.text
    assert got.url.endswith(f"next=%2Forders%2F{soon.pk}%2F")


def test_purchasing_follow_up_tells_each_purchaser(wecom_app, customer_east, stocked):
    sales = make_user("sales", regions=("华东",))
    _person("purchasing", "qian", "qian.buy")
    sun = _person("purchasing", "sun")  # no chat id: the inbox
    order = make_order(
        actor=sales, customer=customer_east,
        lines=[{"material": stocked.code, "quantity": "20", "unit_price": "10"}],
    )  # fmt: skip
    with pytest.raises(RuleBlocked):
        order_transition(actor=sales, order_id=order.pk, action="submit")
    run_deferred()  # what the API and pages do once the refused transaction is over
    # the block rolled the order back, but the follow-up and its messages stand
    [app_msg] = Message.objects.filter(channel="wecom_app")
    [inbox] = Message.objects.filter(channel="inapp", recipient=sun)
    assert app_msg.subject == inbox.subject == f"采购跟进：订单 {order.number} 缺料 GEAR-1 −10"
    deliver_due()
    assert [d.to for d in wecom_app.delivered] == ["qian.buy"]
