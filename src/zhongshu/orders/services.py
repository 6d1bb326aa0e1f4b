"""Order use cases: create, edit, transition, delete. Each is one transaction, checks permissions
first, writes the timeline row with the change, and lets other apps plug in through ``hooks``."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Fulfilment, Material
from zhongshu.core.errors import StaleVersion, ValidationFailed
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_decimal, clean_text
from zhongshu.customers.models import Customer
from zhongshu.customfields import selectors as custom_fields
from zhongshu.customfields.values import clean_custom

from . import hooks
from .exceptions import IllegalTransition, OrderNotEditable, TransitionBlocked
from .models import Order, OrderEvent, OrderLine, OrderNumberSequence, money
from .statuses import EDITABLE, TRANSITIONS, Channel, OrderStatus, PaymentTerms, Priority

MAX_LINES = 200
MAX_DUE_YEARS = 3


# --- numbering ----------------------------------------------------------------------------------


def _next_number(year: int) -> str:
    """SO-YYYY-NNNNNN from a per-year counter locked by the UPDATE itself; gapless because the
    increment commits or rolls back with the order that used it."""
    for _attempt in range(3):
        if OrderNumberSequence.objects.filter(year=year).update(last_value=F("last_value") + 1):
            value = OrderNumberSequence.objects.get(year=year).last_value
            return f"SO-{year}-{value:06d}"
        try:
            with transaction.atomic():
                OrderNumberSequence.objects.create(year=year, last_value=1)
            return f"SO-{year}-{1:06d}"
        except IntegrityError:
            continue  # another transaction created the year's row first; increment it
    raise RuntimeError("could not allocate an order number")


def allocate_numbers(year: int, n: int) -> list[str]:
    """``n`` consecutive numbers from the same counter, in one locked increment — for creating
    orders in bulk (imports). Gapless like ``_next_number``: rolled back with the transaction."""
    for _attempt in range(3):
        if OrderNumberSequence.objects.filter(year=year).update(last_value=F("last_value") + n):
            last = OrderNumberSequence.objects.get(year=year).last_value
            return [f"SO-{year}-{v:06d}" for v in range(last - n + 1, last + 1)]
        try:
            with transaction.atomic():
                OrderNumberSequence.objects.create(year=year, last_value=n)
            return [f"SO-{year}-{v:06d}" for v in range(1, n + 1)]
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate order numbers")


# --- validation -----------------------------------------------------------------------------------


def _clean_date(errors: Errors, field: str, value: Any, *, allow_past: bool) -> dt.date | None:
    if value in (None, ""):
        errors.add(field, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(normalize_text(str(value)))
        except ValueError:
            errors.add(field, _("Enter a date as YYYY-MM-DD."))
            return None
    today = timezone.localdate()
    if not allow_past and value < today:
        errors.add(field, _("The due date %(d)s is in the past.") % {"d": value.isoformat()})
        return None
    if value > today.replace(year=today.year + MAX_DUE_YEARS, day=min(today.day, 28)):
        errors.add(field, _("The due date is more than %(n)d years ahead.") % {"n": MAX_DUE_YEARS})
        return None
    return value


def _clean_customer(errors: Errors, actor, code: Any) -> Customer | None:
    code = normalize_code(code)
    if not code:
        errors.add("customer", _("This field is required."))
        return None
    qs = permissions.scope_customers(actor, Customer.objects.all())
    customer = qs.filter(code=code).first()
    if customer is None:
        errors.add("customer", _("Unknown customer: %(code)s") % {"code": code})
        return None
    if not customer.is_active:
        errors.add("customer", _("Customer %(code)s is inactive.") % {"code": code})
        return None
    return customer


def _clean_terms(errors: Errors, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in ("discount_rate", "tax_rate"):
        if data.get(field) is not None:
            out[field] = clean_decimal(
                errors,
                field,
                data[field],
                places=2,
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=5,
            )
    if data.get("payment_terms") is not None:
        out["payment_terms"] = clean_choice(
            errors, "payment_terms", data["payment_terms"], PaymentTerms
        )
    if data.get("priority") is not None:
        out["priority"] = clean_choice(errors, "priority", data["priority"], Priority)
    if data.get("note") is not None:
        out["note"] = clean_text(errors, "note", data["note"], max_length=2000)
    return out


def _clean_lines(
    errors: Errors,
    raw_lines: Any,
    *,
    actor=None,
    stored: list[dict | None] | None = None,
    enforce_required: bool = True,
) -> list[dict[str, Any]]:
    """``stored``: by position, the stored custom values of the line each sent line continues
    (None for a new line), kept for the fields the actor does not see or does not send."""
    if not isinstance(raw_lines, list | tuple) or not raw_lines:
        errors.add("lines", _("An order needs at least one line."))
        return []
    if len(raw_lines) > MAX_LINES:
        errors.add("lines", _("At most %(n)d lines per order.") % {"n": MAX_LINES})
        return []
    codes = {normalize_code(line.get("material")) for line in raw_lines if isinstance(line, dict)}
    materials = {m.code: m for m in Material.objects.filter(code__in=codes)}
    cleaned = []
    for i, line in enumerate(raw_lines):
        prefix = f"lines[{i}]"
        if not isinstance(line, dict):
            errors.add(prefix, _("Each line needs a material and a quantity."))
            continue
        code = normalize_code(line.get("material"))
        material = materials.get(code)
        if not code:
            errors.add(f"{prefix}.material", _("This field is required."))
        elif material is None:
            errors.add(f"{prefix}.material", _("Unknown material: %(code)s") % {"code": code})
        elif not material.is_active:
            errors.add(f"{prefix}.material", _("Material %(code)s is inactive.") % {"code": code})
            material = None
        quantity = clean_decimal(
            errors, f"{prefix}.quantity", line.get("quantity"), places=3, strictly_positive=True
        )
        price_given = line.get("unit_price") not in (None, "")
        unit_price = None
        if price_given:
            unit_price = clean_decimal(
                errors, f"{prefix}.unit_price", line["unit_price"], places=2, min_value=Decimal(0)
            )
        fulfilment = None
        if line.get("fulfilment"):
            fulfilment = clean_choice(
                errors, f"{prefix}.fulfilment", line["fulfilment"], Fulfilment
            )
        note = clean_text(errors, f"{prefix}.note", line.get("note"), max_length=200)
        kept = stored[i] if stored and i < len(stored) else None
        custom = clean_custom(
            actor=actor,
            definitions=custom_fields.definitions("order_line", actor=actor),
            raw=line.get("custom") if isinstance(line.get("custom"), dict) else None,
            existing=kept,
            errors=errors,
            prefix=f"{prefix}.custom",
            creating=kept is None,
            enforce_required=enforce_required,
        )
        if line.get("custom") is not None and not isinstance(line.get("custom"), dict):
            errors.add(f"{prefix}.custom", _("Expected an object of field values."))
        price = unit_price if price_given else getattr(material, "standard_price", None)
        if quantity is not None and price is not None and not _fits(quantity * price):
            errors.add(f"{prefix}.amount", _("Quantity × unit price is too large."))
            continue
        if material is not None and quantity is not None:
            cleaned.append(
                {
                    "material": material,
                    "quantity": quantity,
                    "unit_price": unit_price if price_given else material.standard_price,
                    "price_given": price_given,
                    "fulfilment": fulfilment or material.fulfilment,
                    "note": note,
                    "custom": custom,
                }
            )
    return cleaned


# OrderLine.amount and the order totals are DECIMAL(16, 2)
MAX_AMOUNT = Decimal(10) ** 14


def _fits(amount: Decimal) -> bool:
    return abs(amount) < MAX_AMOUNT


def _check_totals(order: Order) -> None:
    """Refuse (422) an order whose totals would not fit, before the database does it with a 500."""
    if not all(_fits(v) for v in (order.subtotal, order.tax_amount, order.total_amount)):
        raise ValidationFailed({"lines": _("The order total is too large.")})


def _write_lines(order: Order, lines: list[dict[str, Any]]) -> list[OrderLine]:
    who = getattr(order, "_history_user", None)
    # one by one, so each removed line leaves its deletion in the audit trail
    for old in order.lines.all():
        if who is not None:
            old._history_user = who
        old.delete()
    objs = [
        OrderLine(
            order=order,
            line_no=i,
            material=line["material"],
            quantity=line["quantity"],
            unit_price=line["unit_price"],
            amount=money(line["quantity"] * line["unit_price"]),
            fulfilment=line["fulfilment"],
            note=line["note"],
            custom=line.get("custom") or {},
        )
        for i, line in enumerate(lines, start=1)
    ]
    bulk_create_with_history(objs, OrderLine, default_user=who)
    return objs


def _event(order: Order, actor, action: str, *, note="", from_status="", to_status="", data=None):
    return OrderEvent.objects.create(
        order=order,
        actor=actor,
        action=action,
        note=note,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )


def _after_commit(actor, order: Order, action: str, data: dict | None = None) -> None:
    ctx = hooks.TransitionContext(
        actor=actor,
        order=order,
        action=action,
        from_status=order.status,
        to_status=order.status,
        data=data or {},
    )
    transaction.on_commit(lambda: hooks.run_after_commit(ctx))


# --- use cases ------------------------------------------------------------------------------------


@transaction.atomic
def order_create(
    *,
    actor,
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
    custom: dict | None = None,
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
    channel = clean_choice(errors, "channel", channel or Channel.DIRECT, Channel)
    external_no = clean_text(errors, "external_no", external_no, max_length=64)
    # platform orders cannot carry our custom fields: a person completes required ones later
    by_person = channel in (None, "", Channel.DIRECT)
    cleaned_lines = _clean_lines(errors, lines, actor=actor, enforce_required=by_person)
    custom_values = _clean_order_custom(
        errors, actor, custom, {}, creating=True, enforce_required=by_person
    )
    errors.raise_if_any()
    price_fields = [f for f in ("discount_rate", "tax_rate", "payment_terms") if f in terms]
    if any(line["price_given"] for line in cleaned_lines):
        price_fields.append("unit_price")
    permissions.require_fields(actor, "order", price_fields)

    year = timezone.localdate().year
    order = Order(
        number=_next_number(year),
        customer=customer_obj,
        sales_owner=actor,
        created_by=actor,
        due_date=due,
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


def _clean_order_custom(
    errors: Errors, actor, raw: Any, existing: dict, *, creating: bool, enforce_required=True
) -> dict:
    if raw is not None and not isinstance(raw, dict):
        errors.add("custom", _("Expected an object of field values."))
        raw = None
    return clean_custom(
        actor=actor,
        definitions=custom_fields.definitions("order", actor=actor),
        raw=raw,
        existing=existing,
        errors=errors,
        creating=creating,
        enforce_required=enforce_required,
    )


def _custom_changes(before: dict, after: dict) -> tuple[dict, dict]:
    """The changed custom values as ``custom.<key>`` entries of the timeline's before/after
    (so a reader's view can leave out the fields they may not see)."""
    keys = sorted(k for k in {*before, *after} if before.get(k) != after.get(k))
    return (
        {f"custom.{k}": before.get(k) for k in keys},
        {f"custom.{k}": after.get(k) for k in keys},
    )


def _lock_order(actor, order_id: Any) -> Order:
    qs = permissions.scope_orders(actor, Order.objects.select_for_update(of=("self",)))
    return _stamp(permissions.get_in_scope(qs, pk=order_id), actor)


def _stamp(order: Order, actor) -> Order:
    """Name the actor in the audit trail also where there is no request (tasks, commands)."""
    if getattr(actor, "pk", None):
        order._history_user = actor
    return order


@transaction.atomic
def order_update(*, actor, order_id: int, version: Any, data: dict[str, Any]) -> Order:
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

    price_fields = [f for f in changes if f in permissions.PRICE_FIELDS["order"]]
    lines_changed = False
    if new_lines is not None:
        if _carry_prices(new_lines, matched):
            price_fields.append("unit_price")
        lines_changed = [_line_tuple(ol) for ol in old_lines] != [
            _line_tuple(nl) for nl in new_lines
        ]
    permissions.require_fields(actor, "order", price_fields)

    custom_before, custom_after = _custom_changes(order.custom or {}, new_custom)
    if not changes and not lines_changed and not custom_after:
        return order
    before = {k: _jsonable(getattr(order, k)) for k in changes}
    for field, value in changes.items():
        setattr(order, field, value)
    order.custom = new_custom
    line_objs = _write_lines(order, new_lines) if lines_changed else old_lines
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


def match_lines(errors: Errors, raw_lines: Any, old_lines: list[OrderLine]) -> list:
    """The stored line each sent line continues (None: a new line), so that its negotiated price
    and custom values carry over whatever the order or number of the lines sent. A line names it
    by ``line_no`` (as the order reads back); a line without one continues a free stored line of
    the same material: the one at its position, else one at the price it sends, else the first.
    A line sent with the number of a line of another material is a new line."""
    if not isinstance(raw_lines, list | tuple):
        return []
    by_no = {ol.line_no: ol for ol in old_lines}
    taken: set[int] = set()
    matched: list[OrderLine | None] = [None] * len(raw_lines)
    pending: list[tuple[int, str, dict]] = []
    for i, line in enumerate(raw_lines):
        if not isinstance(line, dict):
            continue
        code = normalize_code(line.get("material"))
        no = line.get("line_no")
        if no in (None, ""):
            pending.append((i, code, line))
            continue
        old = by_no.get(_int_or_none(no))
        if old is None or old.line_no in taken:
            errors.add(f"lines[{i}].line_no", _("Unknown line."))
            continue
        taken.add(old.line_no)
        matched[i] = old if old.material.code == code else None
    rules = (
        lambda i, line, ol: ol.line_no == i + 1,
        lambda i, line, ol: _same_price(line.get("unit_price"), ol.unit_price),
        lambda i, line, ol: True,
    )
    for rule in rules:
        for i, code, line in pending:
            if matched[i] is None:
                matched[i] = next(
                    (
                        ol
                        for ol in old_lines
                        if ol.line_no not in taken
                        and ol.material.code == code
                        and rule(i, line, ol)
                    ),
                    None,
                )
                if matched[i] is not None:
                    taken.add(matched[i].line_no)
    return matched


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _same_price(raw: Any, price: Decimal) -> bool:
    if raw in (None, ""):
        return False
    try:
        return Decimal(normalize_text(str(raw)).replace(",", "")) == price
    except ArithmeticError:
        return False


def _carry_prices(new_lines: list[dict], matched: list) -> bool:
    """Give each line sent without a price the price of the line it continues; whether any price
    changes: a continued line whose price differs from its stored one, or a new line priced by
    hand. Compared by value, so a price sent back unchanged is no change."""
    changed = False
    for nl, old in zip(new_lines, matched, strict=True):
        if old is None:
            changed = changed or nl["price_given"]
            continue
        if not nl["price_given"]:
            nl["unit_price"] = old.unit_price
        changed = changed or nl["unit_price"] != old.unit_price
    return changed


def _line_tuple(line: Any) -> tuple:
    if isinstance(line, OrderLine):
        return (line.material_id, line.quantity, line.unit_price, line.fulfilment, line.note,
                line.custom)  # fmt: skip
    return (line["material"].pk, line["quantity"], line["unit_price"], line["fulfilment"],
            line["note"], line["custom"])  # fmt: skip


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal | dt.date):
        return str(value)
    if hasattr(value, "pk"):
        return str(value)
    return value


def allowed_actions(actor, order: Order) -> list[str]:
    return [
        action
        for action, t in TRANSITIONS.items()
        if order.status in t.sources and permissions.can(actor, f"orders.{action}", order)
    ]


def _builtin_guards(ctx: hooks.TransitionContext) -> None:
    order = ctx.order
    if ctx.action == "submit":
        problems = []
        if not order.lines.exists():
            problems.append(_("The order has no lines."))
        if not order.customer.is_active:
            problems.append(_("The customer is inactive."))
        if order.due_date < timezone.localdate():
            problems.append(_("The due date is in the past."))
        if problems:
            raise TransitionBlocked(" ".join(problems), details={"reasons": problems})
    if (
        ctx.action == "ship"
        and ctx.from_status == OrderStatus.CONFIRMED
        and order.lines.filter(fulfilment=Fulfilment.MAKE).exists()
    ):
        raise TransitionBlocked(
            _("This order has make-to-order lines: it ships after production and QC."),
        )


@transaction.atomic
def order_transition(
    *,
    actor,
    order_id: Any,
    action: str,
    note: str = "",
    version: int | None = None,
    data: dict | None = None,
    system: bool = False,
) -> Order:
    """Move an order along the status machine.

    Refusals, in this order: unknown order or out of scope (404); stale version (409); role not
    allowed (403); action not possible from the current status (409 with the allowed actions);
    missing reason (422); a guard (409 ``transition_blocked`` or the guard's own error).
    ``system=True`` is for automatic moves (a task started, all tasks done); it skips the role check.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationFailed(
            {
                "action": _("Unknown action %(a)s. Known: %(known)s")
                % {"a": action, "known": ", ".join(TRANSITIONS)}
            }
        )
    if not system:
        permissions.require(actor, "orders.view")
    order = (
        permissions.get_in_scope(Order.objects.select_for_update(), pk=order_id)
        if system
        else _lock_order(actor, order_id)
    )
    if version is not None and order.version != version:
        raise StaleVersion(details={"current_version": order.version, "your_version": version})
    if not system:
        permissions.require(actor, f"orders.{action}", order)
    if order.status not in transition.sources:
        raise IllegalTransition(
            _("Cannot %(action)s an order that is %(status)s.")
            % {"action": transition.label, "status": OrderStatus(order.status).label},
            details={
                "status": order.status,
                "action": action,
                "allowed_actions": [] if system else allowed_actions(actor, order),
            },
        )
    note = normalize_text(note)
    if transition.note_required and not note:
        raise ValidationFailed({"note": _("A reason is required for this action.")})
    if len(note) > 2000:
        raise ValidationFailed({"note": _("At most %(n)d characters.") % {"n": 2000}})

    ctx = hooks.TransitionContext(
        actor=actor,
        order=order,
        action=action,
        from_status=order.status,
        to_status=transition.target,
        note=note,
        data=data or {},
    )
    _builtin_guards(ctx)
    hooks.run_guards(ctx)

    order.status = transition.target
    update = ["status", "version", "updated_at"]
    if transition.timestamp_field and getattr(order, transition.timestamp_field) is None:
        setattr(order, transition.timestamp_field, timezone.now())
        update.append(transition.timestamp_field)
    order.version += 1
    order.save(update_fields=update)
    _event(
        order,
        actor,
        action,
        note=note,
        from_status=ctx.from_status,
        to_status=order.status,
        data=data or {},
    )
    hooks.run_effects(ctx)
    transaction.on_commit(lambda: hooks.run_after_commit(ctx))
    return order


@transaction.atomic
def order_delete(*, actor, order_id: Any) -> None:
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


# --- approved changes to released orders ----------------------------------------------------------

CHANGEABLE = frozenset({OrderStatus.CONFIRMED, OrderStatus.SCHEDULING, OrderStatus.IN_PRODUCTION})


def _clean_change(order: Order, changes: dict[str, Any]) -> tuple[dict, list, list, list]:
    """Validate an approved change against the order as it is now. Returns (order fields,
    line updates, line removals, new lines); raises ValidationFailed listing every problem."""
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
    existing = {ln.line_no: ln for ln in order.lines.select_related("material")}
    updates: list[tuple[OrderLine, dict]] = []
    removals: list[OrderLine] = []
    new_lines: list[dict] = []
    raw = changes.get("lines") or []
    if not isinstance(raw, list) or len(raw) > MAX_LINES:
        errors.add("lines", _("At most %(n)d lines per order.") % {"n": MAX_LINES})
        raw = []
    seen: set[int] = set()
    for i, item in enumerate(raw):
        prefix = f"lines[{i}]"
        if not isinstance(item, dict):
            errors.add(prefix, _("Each line needs a material and a quantity."))
            continue
        if item.get("line_no") not in (None, ""):
            try:
                no = int(item["line_no"])
            except (TypeError, ValueError):
                errors.add(f"{prefix}.line_no", _("Unknown line."))
                continue
            line = existing.get(no)
            if line is None or no in seen:
                errors.add(f"{prefix}.line_no", _("Unknown line."))
                continue
            seen.add(no)
            if item.get("remove"):
                if line.shipped_quantity > 0:
                    errors.add(prefix, _("A line already shipped in part cannot be removed."))
                else:
                    removals.append(line)
                continue
            upd: dict[str, Any] = {}
            if item.get("quantity") not in (None, ""):
                qty = clean_decimal(
                    errors, f"{prefix}.quantity", item["quantity"], places=3,
                    strictly_positive=True,
                )  # fmt: skip
                if qty is not None and qty < line.shipped_quantity:
                    errors.add(
                        f"{prefix}.quantity",
                        _("Less than the %(n)s already shipped.") % {"n": line.shipped_quantity},
                    )
                elif qty is not None and not _fits(qty * line.unit_price):
                    errors.add(f"{prefix}.amount", _("Quantity × unit price is too large."))
                elif qty is not None and qty != line.quantity:
                    upd["quantity"] = qty
            if item.get("note") is not None:
                note = clean_text(errors, f"{prefix}.note", item["note"], max_length=200)
                if note != line.note:
                    upd["note"] = note
            if upd:
                updates.append((line, upd))
        else:
            cleaned = _clean_lines(errors, [item], enforce_required=False)
            new_lines.extend(cleaned)
    if len(removals) == len(existing) and not new_lines and existing:
        errors.add("lines", _("An order needs at least one line."))
    errors.raise_if_any()
    return fields, updates, removals, new_lines


@transaction.atomic
def order_apply_change(
    *, actor, order_id: Any, changes: dict[str, Any], system: bool = True, note: str = ""
) -> tuple[Order, dict]:
    """Apply an approved change (quantity, due date, lines, drawing revision) to a confirmed or
    in-production order in one transaction: lines are changed in place (task sheets and
    reservations keep pointing at them), totals are recomputed, the version goes up and the
    timeline gets one "changed" entry with before/after. ``system=True`` (the approval service)
    skips the role check — the approval was the permission. Guards and effects registered for
    the "changed" action run inside the transaction (``ctx.data``: removed_line_ids,
    drawing_revision, diff). Returns (order, diff)."""
    from django.db.models import Max

    if not system:
        permissions.require(actor, "orders.edit")
        order = _lock_order(actor, order_id)
    else:
        order = _stamp(
            permissions.get_in_scope(Order.objects.select_for_update(), pk=order_id), actor
        )
    if order.status not in CHANGEABLE:
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
        action="changed",
        from_status=order.status,
        to_status=order.status,
        note=note,
        data={
            "removed_line_ids": [ln.pk for ln in removals],
            "drawing_revision": fields.get("drawing_revision", ""),
        },
    )
    hooks.run_guards(ctx)
    who = getattr(order, "_history_user", None)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if "due_date" in fields:
        before["due_date"], after["due_date"] = str(order.due_date), str(fields["due_date"])
        order.due_date = fields["due_date"]
    if "drawing_revision" in fields:
        after["drawing_revision"] = fields["drawing_revision"]
    for line, upd in updates:
        key = f"line {line.line_no}"
        before[key] = {k: _jsonable(getattr(line, k)) for k in upd}
        after[key] = {k: _jsonable(v) for k, v in upd.items()}
        for k, v in upd.items():
            setattr(line, k, v)
        line.amount = money(line.quantity * line.unit_price)
        if who is not None:
            line._history_user = who
        line.save()
    for line in removals:
        before[f"line {line.line_no}"] = {
            "material": line.material.code, "quantity": str(line.quantity),
        }  # fmt: skip
        after[f"line {line.line_no}"] = None
        if who is not None:
            line._history_user = who
        line.delete()
    next_no = (order.lines.aggregate(n=Max("line_no"))["n"] or 0) + 1
    for nl in new_lines:
        created = OrderLine(
            order=order,
            line_no=next_no,
            material=nl["material"],
            quantity=nl["quantity"],
            unit_price=nl["unit_price"],
            amount=money(nl["quantity"] * nl["unit_price"]),
            fulfilment=nl["fulfilment"],
            note=nl["note"],
        )
        if who is not None:
            created._history_user = who
        created.save()
        after[f"line {next_no}"] = {
            "material": nl["material"].code,
            "quantity": str(nl["quantity"]),
        }
        next_no += 1
    order.compute_amounts(list(order.lines.all()))
    _check_totals(order)
    order.version += 1
    order.save()
    diff = {"before": before, "after": after}
    _event(order, actor, "changed", note=normalize_text(note)[:2000], data=diff)
    ctx.data["diff"] = diff
    hooks.run_effects(ctx)
    _after_commit(actor, order, "updated", {"changed": sorted(after)})
    return order, diff
