"""Normalising what people type: full-width letters and digits, stray spaces and invisible
characters; the punctuation of Chinese prose stays in free text and folds in codes and numbers."""

import re
import unicodedata
from decimal import Decimal

# Control characters other than tab and newlines: invisible, and PostgreSQL refuses NUL outright.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# A code names a record in URLs, files and other systems: letters and digits of any script, and
# the joiners ``- _ . + # ( )``, starting with a letter or a digit.
# No ``/`` (a path separator: the record could never be opened), no spaces, nothing invisible.
CODE_CHARSET = "- _ . + # ( )"
_CODE = re.compile(r"[^\W_][\w\-.+#()]*")


def _visible(char: str) -> bool:
    # "Cf" is the format class: zero-width spaces and joiners, bidirectional overrides (U+202E
    # shows text reversed), the byte-order mark. They change what a reader sees without being seen.
    return unicodedata.category(char) != "Cf"


# The punctuation of Chinese prose. Free text keeps it as typed (a note reads "请尽快发货，谢谢！"
# and should stay so); codes and numbers fold it like everything else (``fold_text``).
PROSE_PUNCTUATION = "，。、；：？！“”‘’（）【】《》〈〉「」『』〔〕…—～￥"
_PROSE = re.compile(f"([{re.escape(PROSE_PUNCTUATION)}])")


def _clean(text: str) -> str:
    text = CONTROL.sub("", text)
    if not text.isascii():
        text = "".join(filter(_visible, text))
    return text.strip()


def fold_text(value: str | None) -> str:
    """NFKC folds full-width letters, digits and punctuation (１２３，ＡＢＣ) to their ASCII forms;
    control and invisible format characters are dropped. For what is compared or parsed: codes,
    numbers, dates, column headings, choices."""
    if value is None:
        return ""
    return _clean(unicodedata.normalize("NFKC", str(value)))


def normalize_text(value: str | None) -> str:
    """Free text as typed: full-width letters, digits and spaces fold (ＡＢＣ１２３ → ABC123), the
    punctuation of Chinese prose stays (，。！（）…); control and invisible format characters are
    dropped, so a name of only zero-width or right-to-left-override characters is empty."""
    if value is None:
        return ""
    text = str(value)
    if text.isascii():
        return _clean(text)
    parts = _PROSE.split(text)  # odd items are the kept punctuation
    return _clean(
        "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))
    )


def normalize_code(value: str | None) -> str:
    return fold_text(value).upper()


def is_valid_code(code: str) -> bool:
    """``code`` (already normalised) is in the documented character set (``CODE_CHARSET``)."""
    return bool(code) and _CODE.fullmatch(code) is not None


def plain_number(value: Decimal | None) -> str:
    """2.000 → "2", 12.50 → "12.5": what a person would type."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
