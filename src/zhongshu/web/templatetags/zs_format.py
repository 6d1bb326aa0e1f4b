from decimal import Decimal, InvalidOperation

from django import template

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
