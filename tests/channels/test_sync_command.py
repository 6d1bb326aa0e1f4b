"""``zhongshu sync taobao|douyin`` runs one pull; ``channels-sync`` is the same under its old name."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db


def test_sync_taobao_pulls_every_active_shop_once(taobao_account, taobao_sim, mapped):
    # given two paid trades on the platform
    taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 1, "9.90")])
    taobao_sim.add_order(lines=[("501", "OUT-1", "法兰1", 2, "9.90")])
    # when the operator runs one sync from the command line
    out = io.StringIO()
    call_command("sync", "taobao", stdout=out)
    # then both became internal orders and the run is reported per shop
    assert Order.objects.filter(channel="taobao").count() == 2
    assert out.getvalue().startswith("淘宝旗舰店: ")
    assert "2 seen, 2 new, 0 updated" in out.getvalue()


def test_the_old_command_name_still_works(douyin_account, douyin_sim, mapped):
    douyin_sim.add_order(lines=[("500", "OUT-0", "法兰0", 1, "9.90")])
    out = io.StringIO()
    call_command("channels-sync", "douyin", stdout=out)
    assert Order.objects.filter(channel="douyin").count() == 1
    assert "1 seen, 1 new, 0 updated" in out.getvalue()


def test_a_channel_without_an_active_shop_is_an_error(db):
    with pytest.raises(CommandError, match="No active douyin account"):
        call_command("sync", "douyin")


def test_a_failed_pull_exits_with_an_error(taobao_account, taobao_sim, mapped, settings):
    # given the platform throttles every call beyond the retries
    settings.CHANNELS_THROTTLE_RETRIES = 1
    taobao_sim.throttle_next = 10**6
    with pytest.raises(CommandError, match="FAILED: Taobao 7"):
        call_command("sync", "taobao")


def test_an_option_of_another_source_is_refused(taobao_account):
    with pytest.raises(CommandError, match="taobao does not take --material"):
        call_command("sync", "taobao", "--material", "CH-0")
