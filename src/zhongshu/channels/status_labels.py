"""The platforms' order statuses by the names their sellers know (淘宝's WAIT_SELLER_SEND_GOODS is
"等待卖家发货", 抖店's 2 is "备货中"); a status not listed is shown as the platform sent it."""

from django.utils.translation import gettext_lazy as _

STATUS_LABELS = {
    "taobao": {
        "TRADE_NO_CREATE_PAY": _("No payment created"),
        "WAIT_BUYER_PAY": _("Waiting for the buyer to pay"),
        "WAIT_SELLER_SEND_GOODS": _("Waiting for the seller to ship"),
        "SELLER_CONSIGNED_PART": _("Partly shipped"),
        "WAIT_BUYER_CONFIRM_GOODS": _("Waiting for the buyer to confirm receipt"),
        "TRADE_BUYER_SIGNED": _("Signed for by the buyer"),
        "TRADE_FINISHED": _("Trade completed"),
        "TRADE_CLOSED": _("Trade closed"),
        "TRADE_CLOSED_BY_TAOBAO": _("Closed by the platform"),
    },
    "douyin": {
        "1": _("Awaiting payment"),
        "105": _("Paid"),
        "2": _("Preparing goods"),
        "101": _("Partly shipped"),
        "3": _("Shipped"),
        "4": _("Cancelled"),
        "5": _("Completed"),
    },
}


def status_label(kind: str, status: object) -> str:
    return str(STATUS_LABELS.get(kind, {}).get(str(status), status))
