from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def money(value) -> str:
    """¥1,234.50 in every language: finance staff read amounts grouped by thousands, and
    Django's Chinese number format has no grouping at all."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
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
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    text = f"{number:,.1f}".removesuffix(".0")
    return _("%(n)s h") % {"n": text}
