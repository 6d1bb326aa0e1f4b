from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain(value) -> str:
    """19.9800 → "19.98", 20.0000 → "20" (never "2E+1")."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        return str(value)
    return format(value.normalize(), "f")
