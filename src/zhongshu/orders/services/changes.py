"""Approved changes to released orders (quantity, due date, lines, drawing revision): lines are
changed in place so that task sheets and reservations keep pointing at them."""

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_decimal, clean_text

from .. import hooks
from ..exceptions import OrderNotEditable
from ..models import Order, OrderLine, money
from ..statuses import OrderStatus, Priority
from .common import _after_commit, _event, _jsonable, _lock_order, _stamp
from .lines import CleanLine, _clean_lines, line_from_clean
from .rules import MAX_LINES, _check_totals, _clean_date, amount_problem

CHANGEABLE = frozenset({OrderStatus.CONFIRMED, OrderStatus.SCHEDULING, OrderStatus.IN_PRODUCTION})
# a sales channel changes what it sold itself (a newer version of the platform's order, a refunded
# line): while the order is still editable, or — for a refund — released too, without an approval
CHANNEL_CHANGEABLE = frozenset({OrderStatus.DRAFT, OrderStatus.PENDING_REVIEW}) | CHANGEABLE
# a rush (higher priority, earlier due date) may still help an order QC has not released yet
EXPEDITABLE = CHANGEABLE | {OrderStatus.AWAITING_QC}
PRIORITY_RANK: dict[str, int] = {Priority.NORMAL: 0, Priority.URGENT: 1, Priority.CRITICAL: 2}


def _clean_change(
    order: Order, changes: dict[str, Any], *, actor: Actor | None = None
) -> tuple[
    dict[str, Any], list[tuple[OrderLine, dict[str, Any]]], list[OrderLine], list[CleanLine]
]:
    """Validate an approved change against the order as it is now. Returns (order fields,
    line updates, line removals, new lines); raises ValidationFailed listing every problem.
    ``actor``: whose custom field rights apply to the values of new lines."""
    errors = Errors()
    fields: dict[str, Any] = {}
    if not isinstance(changes, dict):
        raise ValidationFailed({"changes": _("The change must be an object.")})
    if changes.get("due_date") not in (None, ""):
        due = _clean_date(errors, "due_date", changes["due_date"], allow_past=False)
        if due is not None and due != order.due_date:
            fields["due_date"] = due
    if changes.get("drawing_revision") not in (None, ""):
        rev = clean_text(errors, "drawing_revision", changes["drawing_revision"], max_length=40)
        if rev:
            fields["drawing_revision"] = rev
    if changes.get("priority") not in (None, ""):
        priority = clean_choice(errors, "priority", changes["priority"], Priority)
        if priority is not None and priority != order.priority:
            fields["priority"] = priority
    existing = {ln.line_no: ln for ln in order.lines.select_related("material")}
    updates: list[tuple[OrderLine, dict[str, Any]]] = []
    removals: list[OrderLine] = []
    new_lines: list[CleanLine] = []
    raw = changes.get("lines") or []
    if not isinstance(raw, list) or len(raw) > MAX_LINES:
        errors.add("lines", _("At most %(n)d lines per order.") % {"n": MAX_LINES})
        raw = []
    seen: set[int] = set()
    for i, item in enumerate(raw):
        prefix = f"lines[{i}]"
        if not isinstance(item, dict):
            errors.add(prefix, _("Each line needs a material and a quantity."))
        elif item.get("line_no") in (None, ""):
            new_lines.extend(_clean_lines(errors, [item], actor=actor, enforce_required=False))
        else:
            line = _changed_line(errors, prefix, item, existing, seen)
            if line is None:
                continue
            if item.get("remove"):
                if line.shipped_quantity > 0:
                    errors.add(prefix, _("A line already shipped in part cannot be removed."))
                else:
                    removals.append(line)
                continue
            upd = _line_update(errors, prefix, item, line)
            if upd:
                updates.append((line, upd))
    if len(removals) == len(existing) and not new_lines and existing:
        errors.add("lines", _("An order needs at least one line."))
    errors.raise_if_any()
    return fields, updates, removals, new_lines


def _changed_line(
    errors: Errors,
    prefix: str,
    item: dict[str, Any],
    existing: dict[int, OrderLine],
    seen: set[int],
) -> OrderLine | None:
    try:
        no = int(item["line_no"])
    except (TypeError, ValueError):
        errors.add(f"{prefix}.line_no", _("Unknown line."))
        return None
    line = existing.get(no)
    if line is None or no in seen:
        errors.add(f"{prefix}.line_no", _("Unknown line."))
        return None
    seen.add(no)
    return line


def _line_update(
    errors: Errors, prefix: str, item: dict[str, Any], line: OrderLine
) -> dict[str, Any]:
    upd: dict[str, Any] = {}
    if item.get("quantity") not in (None, ""):
        qty = clean_decimal(
            errors, f"{prefix}.quantity", item["quantity"], places=3, strictly_positive=True
        )
        if qty is not None and qty < line.shipped_quantity:
            errors.add(
                f"{prefix}.quantity",
                _("Less than the %(n)s already shipped.") % {"n": line.shipped_quantity},
            )
        elif qty is not None and amount_problem(qty, line.unit_price):
            errors.add(f"{prefix}.amount", amount_problem(qty, line.unit_price))
        elif qty is not None and qty != line.quantity:
            upd["quantity"] = qty
    if item.get("note") is not None:
        note = clean_text(errors, f"{prefix}.note", item["note"], max_length=200)
        if note != line.note:
            upd["note"] = note
    return upd


@transaction.atomic
def order_apply_change(
    *,
    actor: Actor,
    order_id: Any,
    changes: dict[str, Any],
    system: bool = True,
    note: str = "",
    by_channel: dict[str, Any] | None = None,
) -> tuple[Order, dict[str, Any]]:
    """Apply an approved change (quantity, due date, lines, drawing revision) to a confirmed or
    in-production order in one transaction: lines are changed in place (task sheets and
    reservations keep pointing at them), totals are recomputed, the version goes up and the
    timeline gets one "changed" entry with before/after. ``system=True`` (the approval service)
    skips the role check — the approval was the permission. Guards and effects registered for
    the "changed" action run inside the transaction (``ctx.data``: removed_line_ids,
    drawing_revision, diff). Returns (order, diff).

    ``by_channel`` (the channels app, ``system=True``): the change comes from the platform the
    order was sold on — allowed from draft on, logged as "channel_changed" with these details
    (what else changed there, e.g. the address or the buyer's note) next to before/after."""
    if not system:
        permissions.require(actor, "orders.edit")
        order = _lock_order(actor, order_id)
    else:
        order = _stamp(
            permissions.get_in_scope(Order.objects.select_for_update(), pk=order_id), actor
        )
    if order.status not in (CHANNEL_CHANGEABLE if by_channel is not None else CHANGEABLE):
        raise OrderNotEditable(details={"status": order.status})
    fields, updates, removals, new_lines = _clean_change(order, changes)
    if not system:
        permissions.require(actor, "orders.edit", order)
        if any(nl["price_given"] for nl in new_lines):
            permissions.require_fields(actor, "order", ["unit_price"])
    # other apps follow through hooks: guards may refuse (work started on a removed line),
    # effects re-reserve stock and adjust task sheets in this same transaction
    ctx = hooks.TransitionContext(
        actor=actor,
        order=order,
        # a draft holds no stock and has no task sheets: nothing downstream follows its changes
        action="changed" if order.status in CHANGEABLE else "channel_changed",
        from_status=order.status,
        to_status=order.status,
        note=note,
        data={
            "removed_line_ids": [ln.pk for ln in removals],
            "drawing_revision": fields.get("drawing_revision", ""),
        },
    )
    hooks.run_guards(ctx)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if "due_date" in fields:
        before["due_date"], after["due_date"] = str(order.due_date), str(fields["due_date"])
        order.due_date = fields["due_date"]
    if "priority" in fields:
        before["priority"], after["priority"] = order.priority, fields["priority"]
        order.priority = fields["priority"]
    if "drawing_revision" in fields:
        after["drawing_revision"] = fields["drawing_revision"]
    _write_change(order, updates, removals, new_lines, before, after)
    order.compute_amounts(list(order.lines.all()))
    _check_totals(order)
    order.version += 1
    order.save()
    diff = {"before": before, "after": after}
    event_data = diff if by_channel is None else {**diff, "channel": by_channel}
    _event(order, actor, "changed" if by_channel is None else "channel_changed",
           note=normalize_text(note)[:2000], data=event_data)  # fmt: skip
    ctx.data["diff"] = diff
    hooks.run_effects(ctx)
    _after_commit(actor, order, "updated", {"changed": sorted(after)})
    return order, diff


def clean_expedite(order: Order, changes: Any) -> dict[str, Any]:
    """A rush of a released order: a higher priority and/or an earlier due date (not in the
    past), nothing else. Returns the fields that change; raises ValidationFailed otherwise."""
    errors = Errors()
    if not isinstance(changes, dict):
        raise ValidationFailed({"payload": _("Name the new priority or the earlier due date.")})
    unknown = sorted(set(changes) - {"priority", "due_date"})
    if unknown:
        errors.add("payload", _("A rush changes only the priority and the due date."))
    fields: dict[str, Any] = {}
    if changes.get("priority") not in (None, ""):
        priority = clean_choice(errors, "priority", changes["priority"], Priority)
        if priority is not None and PRIORITY_RANK[priority] < PRIORITY_RANK[order.priority]:
            errors.add("priority", _("A rush cannot lower the priority."))
        elif priority is not None and priority != order.priority:
            fields["priority"] = priority
    if changes.get("due_date") not in (None, ""):
        due = _clean_date(errors, "due_date", changes["due_date"], allow_past=False)
        if due is not None and due > order.due_date:
            errors.add("due_date", _("A rush can only bring the due date forward."))
        elif due is not None and due != order.due_date:
            fields["due_date"] = due
    errors.raise_if_any()
    if not fields:
        raise ValidationFailed({"payload": _("Raise the priority or bring the due date forward.")})
    return fields


@transaction.atomic
def order_expedite(
    *, actor: Actor, order_id: Any, changes: dict[str, Any], note: str = ""
) -> tuple[Order, dict[str, Any]]:
    """Apply an approved rush to a released order (confirmed up to awaiting QC): the priority
    and/or due date change, the version goes up and the timeline gets one "changed" entry with
    before/after. Called by the approval service — the approval was the permission. Guards and
    effects registered for the "expedited" action run inside the transaction (the schedule
    reflows from there). Returns (order, diff)."""
    order = _stamp(permissions.get_in_scope(Order.objects.select_for_update(), pk=order_id), actor)
    if order.status not in EXPEDITABLE:
        raise OrderNotEditable(details={"status": order.status})
    fields = clean_expedite(order, changes)
    ctx = hooks.TransitionContext(
        actor=actor, order=order, action="expedited", from_status=order.status,
        to_status=order.status, note=note, data={},
    )  # fmt: skip
    hooks.run_guards(ctx)
    before = {k: _jsonable(getattr(order, k)) for k in fields}
    after = {k: _jsonable(v) for k, v in fields.items()}
    for k, v in fields.items():
        setattr(order, k, v)
    order.version += 1
    order.save()
    diff = {"before": before, "after": after}
    _event(order, actor, "changed", note=normalize_text(note)[:2000], data=diff)
    ctx.data["diff"] = diff
    hooks.run_effects(ctx)
    _after_commit(actor, order, "updated", {"changed": sorted(after)})
    return order, diff


def _write_change(
    order: Order,
    updates: list[tuple[OrderLine, dict[str, Any]]],
    removals: list[OrderLine],
    new_lines: list[CleanLine],
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """Write the line part of a change, noting it in ``before``/``after``."""
    who = getattr(order, "_history_user", None)
    for line, upd in updates:
        key = f"line {line.line_no}"
        before[key] = {k: _jsonable(getattr(line, k)) for k in upd}
        after[key] = {k: _jsonable(v) for k, v in upd.items()}
        for k, v in upd.items():
            setattr(line, k, v)
        line.amount = money(line.quantity * line.unit_price)
        if who is not None:
            line._history_user = who  # type: ignore[attr-defined]  # read by simple_history
        line.save()
    for line in removals:
        before[f"line {line.line_no}"] = {
            "material": line.material.code, "quantity": str(line.quantity),
        }  # fmt: skip
        after[f"line {line.line_no}"] = None
        if who is not None:
            line._history_user = who  # type: ignore[attr-defined]  # read by simple_history
        line.delete()
    next_no = (order.lines.aggregate(n=Max("line_no"))["n"] or 0) + 1
    for nl in new_lines:
        created = line_from_clean(order, next_no, nl)
        if who is not None:
            created._history_user = who  # type: ignore[attr-defined]  # read by simple_history
        created.save()
        after[f"line {next_no}"] = {
            "material": nl["material"].code,
            "quantity": str(nl["quantity"]),
        }
        next_no += 1
