"""What approvals adds to the shared registries: its pages in the main navigation, its panel on
the order page, and who may decide a request (the "approvals.decide" object rule)."""

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.navigation import nav_entry
from zhongshu.orders.panels import register

from .selectors import waiting_queryset
from .views import order_panel

nav_entry("approvals", "approvals.view")
register(order_panel)


def _waits_for(user, approval_request) -> bool:
    """May ``user`` decide this approval request now (approver of its active step, deputy after
    escalation, or delegate of an approver)?"""
    return waiting_queryset(user).filter(pk=approval_request.pk).exists()


permissions.object_rule("approvals.decide", _waits_for)


def _decide_from_card(*, actor: Actor, value: dict) -> str:
    """A Feishu card's 同意/驳回 button (``notify.cards``): the same decision as the page's."""
    from .models import DecisionChannel
    from .services import decide

    decide(
        actor=actor,
        request_id=value.get("request"),
        verdict=str(value.get("verdict", "")),
        comment=str(value.get("comment", "")),
        channel=DecisionChannel.FEISHU,
    )
    return "已同意" if value.get("verdict") == "approve" else "已驳回"


def _card_handlers() -> None:
    from zhongshu.notify import cards

    cards.register("approvals.decide", _decide_from_card)


_card_handlers()
