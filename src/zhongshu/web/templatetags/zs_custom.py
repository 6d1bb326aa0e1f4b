"""What ``web/_custom_field.html`` needs to draw one custom field: the input's name, its current
text or choices, and the value as read-only text."""

from collections.abc import Mapping
from typing import Any

from django import template
from django.contrib.auth import get_user_model
from django.db.models import Q

from zhongshu.customfields import values as cf_values
from zhongshu.customfields.models import FieldType

register = template.Library()

KINDS = {
    FieldType.TEXT: "text",
    FieldType.NUMBER: "number",
    FieldType.DECIMAL: "decimal",
    FieldType.DATE: "date",
    FieldType.CHOICE: "select",
    FieldType.MULTI: "multi",
    FieldType.BOOL: "bool",
    FieldType.USER: "user",
    FieldType.FILE: "file",
}


def _bool_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value or "").strip().lower()
    if text in cf_values.TRUE:
        return "true"
    if text in cf_values.FALSE:
        return "false"
    return ""


def _user_options(value) -> list[dict]:
    current = int(value) if str(value or "").strip().isdigit() else None
    User = get_user_model()
    users = User.objects.filter(Q(is_active=True) | Q(pk=current or 0)).order_by("username")
    return [
        {
            "value": str(u.pk),
            "label": u.get_full_name() or u.get_username(),
            "selected": u.pk == current,
        }
        for u in users.only("id", "username", "first_name", "last_name")
    ]


@register.simple_tag
def cf_widget(defn, value, prefix="", editable=True) -> dict:
    name = f"{prefix or ''}{defn.param}"
    kind = KINDS.get(defn.type, "text")
    widget: dict[str, Any] = {
        "name": name,
        "id": f"id_{name}",
        "kind": kind,
        "text": "",
        "options": [],
        "file": None,
        "display": "",
    }
    if kind in ("text", "number", "decimal", "date"):
        widget["text"] = "" if value is None else str(value)
    elif kind == "select":
        widget["options"] = [
            {
                "value": c["value"],
                "label": defn.choice_label(c["value"]),
                "selected": c["value"] == value,
            }
            for c in defn.choices
        ]
    elif kind == "multi":
        chosen = {value} if isinstance(value, str) else {str(v) for v in value or []}
        widget["options"] = [
            {
                "value": c["value"],
                "label": defn.choice_label(c["value"]),
                "selected": c["value"] in chosen,
            }
            for c in defn.choices
        ]
    elif kind == "bool":
        widget["text"] = _bool_text(value)
    elif kind == "user" and editable:
        widget["options"] = _user_options(value)
    elif kind == "file" and isinstance(value, Mapping) and value.get("id"):
        widget["file"] = {"id": value["id"], "name": value.get("name", "")}
    if not editable:
        users = {}
        if kind == "user" and isinstance(value, int):
            users = {o["value"]: o["label"] for o in _user_options(value)}
            users = {int(k): v for k, v in users.items()}
        widget["display"] = cf_values.display(defn, value, users)
    return widget
