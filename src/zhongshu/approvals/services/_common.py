"""What the approval use cases share: users, the order statuses each kind of request applies to."""

from typing import Any

from django.contrib.auth import get_user_model

from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound
from zhongshu.orders.statuses import OrderStatus

from .. import selectors
from ..models import (
    Kind,
    Request,
)

User = get_user_model()
BEFORE_CONFIRM = {OrderStatus.DRAFT, OrderStatus.PENDING_REVIEW}
CHANGEABLE = {OrderStatus.CONFIRMED, OrderStatus.SCHEDULING, OrderStatus.IN_PRODUCTION}
CANCELLABLE_AFTER_CONFIRM = {*CHANGEABLE, OrderStatus.AWAITING_QC}
# before confirming, a rush request is the sign-off the confirm guard waits for; from confirmed
# up to awaiting QC it is an expedite: approved, it raises the priority / brings the due date in
EXPEDITABLE = {*CHANGEABLE, OrderStatus.AWAITING_QC}
ORDER_STATUS_FOR_KIND: dict[str, set[OrderStatus]] = {  # by Kind, looked up with its value
    Kind.RUSH: BEFORE_CONFIRM | EXPEDITABLE,
    Kind.CREDIT: BEFORE_CONFIRM,
    Kind.DISCOUNT_ABOVE: BEFORE_CONFIRM,
    Kind.AMOUNT_ABOVE: BEFORE_CONFIRM,
    Kind.DESIGN_CHANGE: CHANGEABLE,
    Kind.CANCEL_AFTER_CONFIRM: CANCELLABLE_AFTER_CONFIRM,
}


def _lock_request(actor: Actor, request_id: Any) -> Request:
    visible = selectors.request_queryset(actor)
    if not visible.filter(pk=_int(request_id)).exists():
        raise NotFound()
    # only the request row is locked: the order is an outer join (a purchase order's request
    # has none), which PostgreSQL cannot lock
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("order")
        .get(pk=_int(request_id))
    )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
