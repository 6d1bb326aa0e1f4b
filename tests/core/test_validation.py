from decimal import Decimal

import pytest

from zhongshu.core.errors import ValidationFailed
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_decimal, clean_text
from zhongshu.orders.statuses import Priority


def _dec(value, **kw):
    errors = Errors()
    kw.setdefault("places", 3)
    result = clean_decimal(errors, "qty", value, **kw)
    return result, [e["message"] for e in errors.items]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", Decimal("12.000")),
        (12, Decimal("12.000")),
        (Decimal("0.5"), Decimal("0.500")),
        (" 7.25 ", Decimal("7.250")),
        ("1,234.5", Decimal("1234.500")),
        ("１２．５", Decimal("12.500")),
        ("１，２３４", Decimal("1234.000")),
        ("1e2", Decimal("100.000")),
        ("-0", Decimal("0.000")),
        ("0.100000", Decimal("0.100")),
    ],
)
def test_clean_decimal_accepts_and_normalises(raw, expected):
    result, messages = _dec(raw)
    assert (result, messages) == (expected, [])
    assert str(result) == str(expected)


@pytest.mark.parametrize(
    "raw",
    [
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "abc",
        "1.2.3",
        "[]",
        "1 2",
        "0x10",
        True,
    ],
)
def test_clean_decimal_refuses_what_is_not_a_finite_number(raw):
    result, messages = _dec(raw)
    assert result is None
    assert len(messages) == 1


@pytest.mark.parametrize("raw", ["1e400", "-1e400", "9" * 60, "1E+28", "123456789012"])
def test_clean_decimal_refuses_huge_numbers_without_crashing(raw):
    result, messages = _dec(raw)
    assert result is None
    assert len(messages) == 1


@pytest.mark.parametrize("raw", ["1e-400", "0.0001", "1.0005"])
def test_clean_decimal_refuses_too_many_places(raw):
    result, messages = _dec(raw)
    assert result is None
    assert len(messages) == 1


def test_clean_decimal_limits():
    assert _dec(None)[0] is None and len(_dec(None)[1]) == 1
    assert _dec("  ")[0] is None and len(_dec("  ")[1]) == 1
    assert _dec("0", strictly_positive=True)[0] is None
    assert _dec("-1", strictly_positive=True)[0] is None
    assert _dec("0.001", strictly_positive=True) == (Decimal("0.001"), [])
    assert _dec("5", min_value=Decimal(6))[0] is None
    assert _dec("101", places=2, max_value=Decimal(100))[0] is None
    assert _dec("100", places=2, max_value=Decimal(100), max_digits=5) == (Decimal("100.00"), [])
    # max_digits=14, places=3 → at most 11 integer digits
    assert _dec("99999999999.999") == (Decimal("99999999999.999"), [])
    assert _dec("100000000000")[0] is None


def test_errors_collects_every_problem_before_raising():
    errors = Errors()
    assert not errors
    errors.raise_if_any()  # nothing to report: no exception
    clean_decimal(errors, "a", "x", places=2)
    clean_text(errors, "b", "", max_length=5, required=True)
    clean_text(errors, "c", "123456", max_length=5)
    clean_choice(errors, "d", "fast", Priority)
    assert bool(errors)
    with pytest.raises(ValidationFailed) as exc:
        errors.raise_if_any()
    assert [e["field"] for e in exc.value.errors] == ["a", "b", "c", "d"]
    assert exc.value.http_status == 422
    assert exc.value.as_dict()["details"]["errors"] == exc.value.errors


def test_clean_text_and_choice_normalise_full_width():
    errors = Errors()
    assert clean_text(errors, "t", "  ＡＢＣ１２３  ", max_length=6) == "ABC123"
    assert clean_choice(errors, "p", "ｕｒｇｅｎｔ", Priority) == "urgent"
    assert clean_text(errors, "t", None, max_length=3) == ""
    assert errors.items == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  ＳＯ－２０２６  ", "SO-2026"),
        ("１２３，４５６", "123，456"),
        ("请尽快发货，谢谢！（加急）", "请尽快发货，谢谢！（加急）"),
        ("\u3000苏州精工\u3000", "苏州精工"),
        ("ｱｲｳ", "アイウ"),
        (12, "12"),
        ("a\x00b", "ab"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_codes_and_numbers_fold_the_punctuation_free_text_keeps():
    from zhongshu.core.text import fold_text

    assert fold_text("１２３，４５６") == "123,456"
    assert normalize_code("ａｂｃ（１）") == "ABC(1)"
    errors = Errors()
    assert clean_decimal(errors, "q", "１，２３４．５", places=1) == Decimal("1234.5")
    assert (
        clean_text(errors, "n", "  备注：请尽快，谢谢！ ", max_length=20) == "备注：请尽快，谢谢！"
    )
    assert errors.items == []


def test_normalize_code_upper_cases():
    assert normalize_code(" ｃ－ｅａｓｔ ") == "C-EAST"
    assert normalize_code(None) == ""


@pytest.mark.parametrize("raw", ["1,5", "1,23", "12,34,567", ",123", "1,,234"])
def test_clean_decimal_refuses_commas_that_are_not_thousands_separators(raw):
    result, messages = _dec(raw)
    assert result is None
    assert len(messages) == 1


def test_clean_decimal_does_not_round_away_a_long_fraction():
    result, messages = _dec("1." + "0" * 40 + "1")
    assert result is None
    assert len(messages) == 1
