"""Field groups in templates: ``{% if user|sees:"price" %}`` leaves out what the reader's roles
hide, with the same answer as the API and the exports (``permissions.field_level``)."""

from typing import Any

from django import template

from zhongshu.accounts import permissions

register = template.Library()


@register.filter
def sees(user: Any, group: str) -> bool:
    """Whether ``user`` sees the fields of ``group`` (read-only or editable)."""
    return permissions.field_level(user, group) != "hidden"
