"""Normalising what people type: full-width digits and punctuation, stray spaces."""

import unicodedata


def normalize_text(value: str | None) -> str:
    """NFKC folds full-width letters, digits and punctuation (１２３，ＡＢＣ) to their ASCII forms."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def normalize_code(value: str | None) -> str:
    return normalize_text(value).upper()
