"""Cell values → clean Python values. Each function returns (value, message); message is None when
the cell is acceptable."""

import datetime as dt
import functools
import re
from decimal import Decimal

from django.utils.translation import gettext as _

from zhongshu.core.text import fold_text, normalize_text
from zhongshu.core.validation import Errors, clean_decimal

EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
HEADER_NOISE = re.compile(r"[\s*＊:：]|[(（][^)）]*[)）]")


def header_key(text: str) -> str:
    """ "外部单号*" / " 单价(元) " / "Unit Price" → comparable keys."""
    return HEADER_NOISE.sub("", fold_text(text)).lower().replace("_", "").replace("-", "")


# a workbook repeats its codes, dates and numbers thousands of times: normalise each spelling once
_normal = functools.lru_cache(maxsize=1 << 15)(normalize_text)


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _normal(str(value))


def is_blank(value) -> bool:
    return text(value) == ""


def number(value, *, places: int, positive: bool = False, min_zero: bool = False):
    if isinstance(value, bool):
        return None, _("Enter a number.")
    if isinstance(value, float):
        value = repr(value)
    errors = Errors()
    result = clean_decimal(
        errors,
        "x",
        value,
        places=places,
        strictly_positive=positive,
        min_value=Decimal(0) if min_zero else None,
    )
    if errors:
        return None, errors.items[0]["message"]
    return result, None


def date(value):
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serial day numbers (1900-01-01 … 9999-12-31)
            return EXCEL_EPOCH + dt.timedelta(days=int(value)), None
        return None, _("Enter a date such as 2025-09-03.")
    s = fold_text(text(value))
    if not s:
        return None, _("This field is required.")
    m = DATE_TEXT.match(s) or DATE_COMPACT.match(s)
    if m is None and s.isdigit() and len(s) == 5:
        return date(int(s))
    if m is None:
        return None, _("Enter a date such as 2025-09-03.")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), None
    except ValueError:
        return None, _("%(value)s is not a real date.") % {"value": s}


def choice(value, choices, *, extra: dict | None = None):
    """A TextChoices value given as its value or as its label in Chinese or English."""
    s = fold_text(text(value))
    found = _choice_map(choices, tuple(sorted((extra or {}).items()))).get(s.lower())
    if found is None:
        return None, _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(str(label) for _v, label in choices.choices)
        }
    return found, None


@functools.cache
def _choice_map(choices, extra: tuple) -> dict[str, str]:
    """value / Chinese label / English label (lower case) → value; built once per choices class
    (the labels come from the shipped catalogues, which do not change while the process runs)."""
    from django.utils import translation

    mapping = {v.lower(): v for v in choices.values}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            mapping.update({str(label).lower(): v for v, label in choices.choices})
    mapping.update(extra)
    return mapping
