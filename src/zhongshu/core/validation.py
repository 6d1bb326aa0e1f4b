"""Collect every problem of an input before refusing it, so the user fixes them all at once."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from .errors import ValidationFailed
from .text import CODE_CHARSET, fold_text, is_valid_code, normalize_code, normalize_text

THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


class Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, field: str, message: Any) -> None:
        self.items.append({"field": field, "message": str(message)})

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationFailed(self.items)


def clean_decimal(
    errors: Errors,
    field: str,
    value: Any,
    *,
    places: int,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    strictly_positive: bool = False,
    max_digits: int = 14,
) -> Decimal | None:
    if value is None or (isinstance(value, str) and not fold_text(value)):
        errors.add(field, _("This field is required."))
        return None
    text = fold_text(str(value))
    if "," in text:
        # 1,234.5 is a thousands separator; 1,5 might be a decimal comma: refuse rather than guess
        if not THOUSANDS.match(text):
            errors.add(field, _("Enter a number."))
            return None
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        errors.add(field, _("Enter a number."))
        return None
    if isinstance(value, bool) or not number.is_finite():
        errors.add(field, _("Enter a number."))
        return None
    # Checked before any arithmetic: quantizing 1e400 raises instead of answering.
    if number.adjusted() >= max_digits - places:
        errors.add(field, _("The number is too large."))
        return None
    if number.is_zero():
        number = Decimal(0)  # -0 → 0
    if strictly_positive and number <= 0:
        errors.add(field, _("Must be greater than 0."))
        return None
    if min_value is not None and number < min_value:
        errors.add(field, _("Must be at least %(v)s.") % {"v": min_value})
        return None
    if max_value is not None and number > max_value:
        errors.add(field, _("Must be at most %(v)s.") % {"v": max_value})
        return None
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum):
        errors.add(field, _("At most %(n)d decimal places.") % {"n": places})
        return None
    return number.quantize(quantum)


def clean_text(
    errors: Errors, field: str, value: Any, *, max_length: int, required: bool = False
) -> str:
    text = normalize_text(value)
    if required and not text:
        errors.add(field, _("This field is required."))
    elif len(text) > max_length:
        errors.add(field, _("At most %(n)d characters.") % {"n": max_length})
    return text


def clean_code(
    errors: Errors, field: str, value: Any, *, max_length: int, required: bool = True
) -> str:
    """A record's code, upper-cased: ``clean_text`` plus the code character set (no ``/``, no
    spaces, nothing invisible), so a code that is accepted can always be opened again."""
    code = clean_text(
        errors, field, normalize_code(value), max_length=max_length, required=required
    )
    if code and len(code) <= max_length and not is_valid_code(code):
        errors.add(field, code_charset_message())
    return code


def code_charset_message() -> str:
    return _(
        "A code may hold only letters, digits and %(joiners)s, and must start with a letter or digit."
    ) % {"joiners": CODE_CHARSET}


def clean_choice(
    errors: Errors, field: str, value: Any, choices: type[models.TextChoices]
) -> str | None:
    text = fold_text(value)
    if text not in choices.values:
        errors.add(
            field,
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)},
        )
        return None
    return text


def parse_decimal(value: Any, *, places: int, max_digits: int = 14, **limits: Any) -> Decimal:
    """``clean_decimal`` for one value outside a form: the number, or ``ValueError`` with the
    message. Refuses NaN, sNaN, Infinity, 1E+999999999, more digits than the column holds and more
    decimals than ``places`` (0.0001 where three decimals are kept is refused, never rounded to 0)."""
    errors = Errors()
    number = clean_decimal(errors, "value", value, places=places, max_digits=max_digits, **limits)
    if number is None:
        raise ValueError(errors.items[0]["message"])
    return number
