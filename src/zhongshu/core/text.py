"""Normalising what people type: full-width digits and punctuation, stray spaces."""

import re
import unicodedata
from decimal import Decimal

# Control characters other than tab and newlines: invisible, and PostgreSQL refuses NUL outright.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize_text(value: str | None) -> str:
    """NFKC folds full-width letters, digits and punctuation (１２３，ＡＢＣ) to their ASCII forms."""
    if value is None:
        return ""
    return CONTROL.sub("", unicodedata.normalize("NFKC", str(value))).strip()


def normalize_code(value: str | None) -> str:
    return normalize_text(value).upper()


def plain_number(value: Decimal | None) -> str:
    """2.000 → "2", 12.50 → "12.5": what a person would type."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
