"""What an order must satisfy, written once for the single and the bulk paths. Each ``*_problem``
function returns the refusal message (or None); the ``_clean_*`` functions parse what a person or
a client sent and apply the same rules."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_decimal, clean_text
from zhongshu.customers.models import Customer
from zhongshu.customfields import selectors as custom_fields
from zhongshu.customfields.values import clean_custom

from ..models import Order
from ..statuses import PaymentTerms, Priority

MAX_LINES = 200
MAX_DUE_YEARS = 3
# OrderLine.amount and the order totals are DECIMAL(16, 2)
MAX_AMOUNT = Decimal(10) ** 14


def _fits(amount: Decimal) -> bool:
    return abs(amount) < MAX_AMOUNT


def due_horizon(today: dt.date) -> dt.date:
    return today.replace(year=today.year + MAX_DUE_YEARS, day=min(today.day, 28))


def due_problem(value: dt.date, *, allow_past: bool, today: dt.date | None = None) -> str | None:
    today = today or timezone.localdate()
    if not allow_past and value < today:
        return _("The due date %(d)s is in the past.") % {"d": value.isoformat()}
    if value > due_horizon(today):
        return _("The due date is more than %(n)d years ahead.") % {"n": MAX_DUE_YEARS}
    return None


def customer_problem(code: Any, active: bool | None) -> str | None:
    """``active``: None for a customer unknown or out of the actor's scope."""
    if active is None:
        return _("Unknown customer: %(code)s") % {"code": code}
    if not active:
        return _("Customer %(code)s is inactive.") % {"code": code}
    return None


def material_problem(code: Any, active: bool | None) -> str | None:
    if active is None:
        return _("Unknown material: %(code)s") % {"code": code}
    if not active:
        return _("Material %(code)s is inactive.") % {"code": code}
    return None


def line_count_problem(n: int) -> str | None:
    if n == 0:
        return _("An order needs at least one line.")
    if n > MAX_LINES:
        return _("At most %(n)d lines per order.") % {"n": MAX_LINES}
    return None


def amount_problem(quantity: Decimal, price: Decimal) -> str | None:
    if not _fits(quantity * price):
        return _("Quantity × unit price is too large.")
    return None


def totals_problem(totals: Iterable[Decimal]) -> str | None:
    if not all(_fits(v) for v in totals):
        return _("The order total is too large.")
    return None


def _check_totals(order: Order) -> None:
    """Refuse (422) an order whose totals would not fit, before the database does it with a 500."""
    problem = totals_problem((order.subtotal, order.tax_amount, order.total_amount))
    if problem:
        raise ValidationFailed({"lines": problem})


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
    problem = due_problem(value, allow_past=allow_past)
    if problem:
        errors.add(field, problem)
        return None
    return cast(dt.date, value)


def _clean_customer(errors: Errors, actor: Actor, code: Any) -> Customer | None:
    code = normalize_code(code)
    if not code:
        errors.add("customer", _("This field is required."))
        return None
    qs = permissions.scope_customers(actor, Customer.objects.all())
    customer = qs.filter(code=code).first()
    problem = customer_problem(code, None if customer is None else customer.is_active)
    if problem:
        errors.add("customer", problem)
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


def _clean_order_custom(
    errors: Errors,
    actor: Actor,
    raw: Any,
    existing: dict[str, Any],
    *,
    creating: bool,
    enforce_required: bool = True,
) -> dict[str, Any]:
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
