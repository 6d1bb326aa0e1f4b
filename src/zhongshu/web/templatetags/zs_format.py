import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

register = template.Library()


def _number(value) -> Decimal | None:
    """What a display filter shows of ``value``: a Decimal, or None for what is not a number."""
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


@register.filter
def money(value) -> str:
    """¥1,234.50 in every language: finance staff read amounts grouped by thousands, and
    Django's Chinese number format has no grouping at all."""
    number = _number(value)
    if number is None:
        return ""
    return f"¥{number:,.2f}"


# --- codes shown as labels ------------------------------------------------------------------

OPERATORS = {
    "eq": _("equals"),
    "ne": _("does not equal"),
    "gt": _("greater than"),
    "gte": _("at least"),
    "lt": _("less than"),
    "lte": _("at most"),
    "in": _("is one of"),
    "not_in": _("is none of"),
    "contains": _("contains"),
    "empty": _("is empty"),
    "is_null": _("is empty"),
}
CHANNELS = {"inapp": _("In-app"), "wecom": _("WeCom"), "email": _("Email"), "sms": _("SMS")}


def _split(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace("，", ",").split(",") if v.strip()]
    return [str(v) for v in value]


@register.filter
def role_label(value) -> str:
    """``manager`` → 管理层; a code that is no role is shown as it is."""
    from zhongshu.accounts.roles import Role

    code = str(getattr(value, "name", value) or "")
    return str(Role(code).label) if code in Role.values else code


@register.filter
def role_labels(value) -> str:
    """Roles (a list, groups or a comma-separated text) by their Chinese names, joined with 、."""
    if hasattr(value, "all"):
        value = [g.name for g in value.all()]
    return "、".join(role_label(v) for v in _split(value))


@register.filter
def operator_label(value) -> str:
    return str(OPERATORS.get(str(value), value))


@register.filter
def channel_labels(value) -> str:
    return "、".join(str(CHANNELS.get(v, v)) for v in _split(value))


@register.filter
def label_of(labels, code) -> str:
    """``{{ labels|label_of:code }}``: the label a mapping gives a code, else the code."""
    try:
        return str(labels.get(code, code))
    except AttributeError:
        return str(code)


@register.filter
def with_code(name, code) -> str:
    """``{{ line.name|with_code:line.code }}``: "CNC 加工线", not "CNC CNC 加工线"."""
    name, code = str(name or ""), str(code or "")
    return name if code and name.startswith(code) else f"{code} {name}".strip()


@register.filter
def hours(value) -> str:
    """A number of hours, rounded to one place: ``12.5 小时``."""
    number = _number(value)
    if number is None:
        return ""
    text = f"{number:,.1f}".removesuffix(".0")
    return _("%(n)s h") % {"n": text}


# --- quantities and times -------------------------------------------------------------------


@register.filter
def qty(value, unit="") -> str:
    """A quantity with its unit and without trailing zeros: ``12 件``, ``2.5 kg``, ``1,200 件``."""
    number = _number(value)
    if number is None:
        return ""
    text = f"{number:,.3f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    unit = str(unit or "").strip()
    return f"{text} {unit}" if unit else text


def _aware(value) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


@register.filter
def local_time(value) -> str:
    """A moment in the factory's time zone, to the minute: ``2026-12-07 14:05``."""
    moment = _aware(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


_UNITS = (
    (365 * 86400, "year"),
    (30 * 86400, "month"),
    (86400, "day"),
    (3600, "hour"),
    (60, "minute"),
)


def _span(n: int, unit: str) -> str:
    if unit == "year":
        return ngettext("%(n)d year", "%(n)d years", n) % {"n": n}
    if unit == "month":
        return ngettext("%(n)d month", "%(n)d months", n) % {"n": n}
    if unit == "day":
        return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}
    if unit == "hour":
        return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}


@register.filter
def ago(value, now=None) -> str:
    """How far a moment is from now, in words: ``3 分钟前``, ``2 天后``, ``刚刚``."""
    moment = _aware(value)
    if moment is None:
        return ""
    current = _aware(now) or timezone.now()
    seconds = int((moment - current).total_seconds())
    if abs(seconds) < 60:
        return str(_("just now"))
    for size, unit in _UNITS:
        if abs(seconds) >= size:
            span = _span(abs(seconds) // size, unit)
            break
    if seconds < 0:
        return str(_("%(span)s ago") % {"span": span})
    return str(_("in %(span)s") % {"span": span})
