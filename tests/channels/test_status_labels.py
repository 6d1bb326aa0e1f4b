from django.utils import translation

from zhongshu.channels.status_labels import status_label


def test_platform_statuses_are_shown_by_their_chinese_names():
    with translation.override("zh-hans"):
        shown = [
            status_label("taobao", "WAIT_SELLER_SEND_GOODS"),
            status_label("taobao", "TRADE_CLOSED"),
            status_label("douyin", 2),
            status_label("douyin", "105"),
        ]

    assert shown == ["等待卖家发货", "交易关闭", "备货中", "已支付"]


def test_a_status_the_platform_adds_later_is_shown_as_sent():
    assert status_label("taobao", "SOMETHING_NEW") == "SOMETHING_NEW"
    assert status_label("other", 7) == "7"
