"""One bound for every integer and date a request carries, checked before any view runs.

Python has no limit on an int and a date may be year 1 or 9999, but the database and date
arithmetic do: 2^63 overflows SQLite's INTEGER, ``date(9999, 12, 31) + 1 day`` raises
OverflowError. So every query parameter (API and web pages alike) and every value of a JSON body
(API) that is an integer must lie within ±``MAX_INT``, and every value shaped as a date
(``YYYY-MM-DD``, with or without a time) must fall in ``MIN_YEAR``..``MAX_YEAR``. Anything
outside is refused with a message naming the parameter — an API answer in the JSON error shape
(422), a web page a 400 — and never reaches a query. So is a NUL character in the path (no route
takes one; PostgreSQL refuses it in any text). In parameters and bodies, text is cleaned of
control characters where it is read (``core.text``).
"""

import re
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

MAX_INT = 2**31 - 1
MIN_YEAR, MAX_YEAR = 1900, 2999
INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
DATE_SHAPED = re.compile(r"^\s*([+-]?\d+)-\d{1,2}-\d{1,2}([ T].*)?$")


# free-text parameters: a long run of digits there is a search for an external number, not a count
TEXT_PARAMS = frozenset(
    {"q", "search", "query", "number", "external_no", "external", "order", "customer", "material",
     "code", "sku", "channel_sku", "tracking", "phone", "mobile", "name", "title", "note"}
)  # fmt: skip


def problem(value: Any, *, text_digits_ok: bool = False) -> str | None:
    """Why ``value`` is out of bounds, or None. ``text_digits_ok``: a string of digits is text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _int_problem(value)
    if isinstance(value, float):
        return _("Enter a finite number.") if value != value or value in (
            float("inf"), float("-inf")
        ) else None  # fmt: skip
    if not isinstance(value, str) or len(value) > 64:
        return None
    if INTEGER.match(value) and not text_digits_ok:
        digits = value.strip().lstrip("+-")
        if len(digits) > 12:
            return _int_problem(MAX_INT + 1)
        # (``\s`` and ``strip`` take the separators U+001C–U+001F for space; ``int`` does not)
        return _int_problem(int(value.strip()))
    m = DATE_SHAPED.match(value)
    if m:
        year = int(m.group(1)) if len(m.group(1)) <= 6 else 10**6
        if not MIN_YEAR <= year <= MAX_YEAR:
            return _("Enter a date between the years %(a)s and %(b)s.") % {
                "a": MIN_YEAR,
                "b": MAX_YEAR,
            }
    return None


def _int_problem(n: int) -> str | None:
    if -MAX_INT <= n <= MAX_INT:
        return None
    return _("Enter a whole number between %(a)s and %(b)s.") % {"a": -MAX_INT, "b": MAX_INT}


def query_problems(querydict: QueryDict) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    for key, values in querydict.lists():
        for value in values:
            # PostgreSQL text cannot hold a NUL: refused here once rather than by each filter
            message: str | None
            if "\x00" in key or "\x00" in value:
                message = _("Text may not contain the NUL character.")
            else:
                message = problem(value, text_digits_ok=key in TEXT_PARAMS)
            if message:
                errors.append({"field": key, "message": message})
                break
    return errors


def body_problems(value: Any, path: str = "") -> list[dict[str, Any]]:
    """Out-of-bounds integers and dates anywhere in a parsed JSON body."""
    errors: list[dict[str, Any]] = []
    stack = [(path, value)]
    while stack and len(errors) < 20:
        where, item = stack.pop()
        if isinstance(item, dict):
            stack.extend((f"{where}.{k}" if where else str(k), v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(item))
        else:
            # in a body an integer is a JSON number; a string of digits is text (external numbers)
            message = problem(item, text_digits_ok=True)
            if message:
                errors.append({"field": where or "body", "message": message})
    return errors
