"""Creating, editing and deleting a draft order. Each is one transaction, checks permissions
first, writes the timeline row with the change, and lets other apps plug in through ``hooks``."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import StaleVersion, ValidationFailed
from zhongshu.core.validation import Errors, clean_choice, clean_text

from ..exceptions import IllegalTransition, OrderNotEditable
from ..models import Order, OrderLine
from ..statuses import EDITABLE, Channel, OrderStatus, Priority
from .common import _after_commit, _custom_changes, _event, _jsonable, _lock_order, _stamp
from .lines import CleanLine, _carry_prices, _clean_lines, _line_tuple, _write_lines, match_lines
from .numbering import _next_number
from .rules import (
    _check_totals,
    _clean_customer,
    _clean_date,
    _clean_order_custom,
    _clean_terms,
)


@transaction.atomic
def order_create(
    *,
    actor: Actor,
    customer: str,
    due_date: Any,
    lines: list[dict[str, Any]],
    priority: str = Priority.NORMAL,
    discount_rate: Any = None,
    tax_rate: Any = None,
    payment_terms: str | None = None,
    note: str = "",
    channel: str = Channel.DIRECT,
    external_no: str = "",
    allow_past_due: bool = False,
    custom: dict[str, Any] | None = None,
) -> Order:
    """Create a draft order with its lines. Numbers are allocated inside the same transaction."""
    permissions.require(actor, "orders.create")
    errors = Errors()
    customer_obj = _clean_customer(errors, actor, customer)
    due = _clean_date(errors, "due_date", due_date, allow_past=allow_past_due)
    terms = _clean_terms(
        errors,
        {
            "discount_rate": discount_rate,
            "tax_rate": tax_rate,
            "payment_terms": payment_terms,
            "priority": priority or Priority.NORMAL,
            "note": note,
        },
    )
    channel = clean_choice(errors, "channel", channel or Channel.DIRECT, Channel)  # type: ignore[assignment]  # None only with errors
    external_no = clean_text(errors, "external_no", external_no, max_length=64)
    # platform orders cannot carry our custom fields: a person completes required ones later
    by_person = channel in (None, "", Channel.DIRECT)
    cleaned_lines = _clean_lines(errors, lines, actor=actor, enforce_required=by_person)
    custom_values = _clean_order_custom(
        errors, actor, custom, {}, creating=True, enforce_required=by_person
    )
    errors.raise_if_any()
    price_fields: list[str] = [
        f for f in ("discount_rate", "tax_rate", "payment_terms") if f in terms
    ]
    if any(line["price_given"] for line in cleaned_lines):
        price_fields.append("unit_price")
    permissions.require_fields(actor, "order", price_fields)

    order = Order(
        number=_next_number(timezone.localdate().year),
        customer=customer_obj,
        sales_owner=actor,
        created_by=actor,
        due_date=due,  # type: ignore[misc]  # None only with errors, raised above
        channel=channel,
        external_no=external_no,
        custom=custom_values,
        **terms,
    )
    _stamp(order, actor)
    order.save()
    line_objs = _write_lines(order, cleaned_lines)
    order.compute_amounts(line_objs)
    _check_totals(order)  # raising rolls back the order and its number
    order.save(update_fields=["subtotal", "tax_amount", "total_amount"])
    _event(order, actor, "created", to_status=order.status)
    _after_commit(actor, order, "created")
    return order


@transaction.atomic
def order_update(*, actor: Actor, order_id: int, version: Any, data: dict[str, Any]) -> Order:
    """Edit an order that is still a draft or pending review. ``version`` must be the one the
    user saw; otherwise the edit is refused as stale (409) rather than overwriting someone."""
    permissions.require(actor, "orders.edit")
    order = _lock_order(actor, order_id)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationFailed({"version": _("The version you edited is required.")})
    if order.version != version:
        raise StaleVersion(details={"current_version": order.version, "your_version": version})
    permissions.require(actor, "orders.edit", order)
    if order.status not in EDITABLE:
        raise OrderNotEditable(details={"status": order.status})

    changes, old_lines, new_lines, new_custom = _clean_update(actor, order, data)
    custom_before, custom_after = _custom_changes(order.custom or {}, new_custom)
    lines_changed = new_lines is not None and [_line_tuple(ol) for ol in old_lines] != [
        _line_tuple(nl) for nl in new_lines
    ]
    if not changes and not lines_changed and not custom_after:
        return order
    before = {k: _jsonable(getattr(order, k)) for k in changes}
    for field, value in changes.items():
        setattr(order, field, value)
    order.custom = new_custom
    line_objs = (
        _write_lines(order, new_lines) if new_lines is not None and lines_changed else old_lines
    )
    order.compute_amounts(line_objs)
    _check_totals(order)
    order.version += 1
    order.save()
    _event(
        order,
        actor,
        "updated",
        data={
            "changed": sorted([*changes, *custom_after, *(["lines"] if lines_changed else [])]),
            "before": {**before, **custom_before},
            "after": {**{k: _jsonable(v) for k, v in changes.items()}, **custom_after},
        },
    )
    _after_commit(actor, order, "updated")
    return order


def _clean_update(
    actor: Actor, order: Order, data: dict[str, Any]
) -> tuple[dict[str, Any], list[OrderLine], list[CleanLine] | None, dict[str, Any]]:
    """What an edit changes: (changed order fields, the stored lines, the new lines with the
    prices they keep or None when lines were not sent, the custom values). Refuses bad input
    (422) and changes of fields the actor may not edit (403)."""
    errors = Errors()
    changes: dict[str, Any] = {}
    if "customer" in data:
        customer = _clean_customer(errors, actor, data["customer"])
        if customer is not None and customer.pk != order.customer_id:
            changes["customer"] = customer
    if "due_date" in data:
        due = _clean_date(errors, "due_date", data["due_date"], allow_past=False)
        if due is not None and due != order.due_date:
            changes["due_date"] = due
    terms = _clean_terms(
        errors,
        {
            k: data.get(k)
            for k in ("discount_rate", "tax_rate", "payment_terms", "priority", "note")
        },
    )
    changes.update({k: v for k, v in terms.items() if v is not None and getattr(order, k) != v})
    old_lines = list(order.lines.select_related("material"))
    new_lines, matched = None, []
    if data.get("lines") is not None:
        matched = match_lines(errors, data["lines"], old_lines)
        stored = [ol.custom if ol is not None else None for ol in matched]
        new_lines = _clean_lines(errors, data["lines"], actor=actor, stored=stored)
    new_custom = (
        _clean_order_custom(errors, actor, data["custom"], order.custom, creating=False)
        if "custom" in data
        else order.custom
    )
    errors.raise_if_any()
    # every changed field goes past the field rules (price terms, schedule, lines)
    guarded = list(changes)
    if new_lines is not None and _carry_prices(new_lines, matched):
        guarded.append("unit_price")
    if new_lines is not None and [_line_tuple(ol) for ol in old_lines] != [
        _line_tuple(nl) for nl in new_lines
    ]:
        guarded.append("lines")
    permissions.require_fields(actor, "order", guarded)
    return changes, old_lines, new_lines, new_custom


@transaction.atomic
def order_delete(*, actor: Actor, order_id: Any) -> None:
    """Only an administrator deletes, and only drafts; everything else is cancelled instead."""
    permissions.require(actor, "orders.view")
    order = _lock_order(actor, order_id)
    permissions.require(actor, "orders.delete", order)
    if order.status != OrderStatus.DRAFT:
        raise IllegalTransition(
            _("Only drafts can be deleted; cancel the order instead."),
            details={"status": order.status, "action": "delete"},
        )
    order.delete()
