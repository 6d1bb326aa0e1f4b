"""Checking and storing custom values: one function per type turns what a user typed (web form,
API JSON, an import cell) into the stored JSON value, or says what is wrong.

Stored forms (what filters, sorts and indexes rely on):
text/choice → string · number → integer · decimal → string with the field's places ("12.50") ·
date → "YYYY-MM-DD" · multi → list of choice values in the definition's order · bool → true/false ·
user → user id · file → {"id": …, "name": …}.
"""

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ForbiddenField
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_decimal

from .models import FieldDefinition, FieldFile, FieldType

MAX_TEXT = 500
MAX_NUMBER = 10**15
TRUE = {"true", "1", "yes", "y", "是", "对", "√", "✓"}
FALSE = {"false", "0", "no", "n", "否", "不", "×"}
DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


class Invalid(ValueError):
    pass


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not normalize_text(value)
    return isinstance(value, list | tuple | dict) and not value


def _text(defn, raw):
    if not isinstance(raw, str | int | float | Decimal) or isinstance(raw, bool):
        raise Invalid(_("Enter a text."))
    text = normalize_text(str(raw))  # also drops control characters
    if len(text) > MAX_TEXT:
        raise Invalid(_("At most %(n)d characters.") % {"n": MAX_TEXT})
    return text


def _number(defn, raw):
    errors = Errors()
    number = clean_decimal(errors, "v", raw, places=0, max_digits=16)
    if errors:
        if isinstance(raw, str | int | float) and not isinstance(raw, bool):
            try:
                if Decimal(normalize_text(str(raw))) % 1:
                    raise Invalid(_("Enter a whole number."))
            except ArithmeticError:
                pass
        raise Invalid(errors.items[0]["message"])
    if abs(number) >= MAX_NUMBER:
        raise Invalid(_("The number is too large."))
    return int(number)


def _decimal(defn, raw):
    errors = Errors()
    number = clean_decimal(errors, "v", raw, places=defn.decimal_places, max_digits=16)
    if errors:
        raise Invalid(errors.items[0]["message"])
    return str(number)


def parse_date(raw) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if not isinstance(raw, str):
        raise Invalid(_("Enter a date as YYYY-MM-DD."))
    text = normalize_text(raw)
    match = DATE_RE.match(text)
    try:
        if match:
            return dt.date(*(int(g) for g in match.groups()))
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid(_("Enter a date as YYYY-MM-DD.")) from None


def _date(defn, raw):
    day = parse_date(raw)
    if not 1900 <= day.year <= 2999:
        raise Invalid(_("Enter a date between 1900 and 2999."))
    return day.isoformat()


def _choice_value(defn, raw) -> str:
    text = normalize_text(str(raw)) if isinstance(raw, str | int) else None
    if text is None or isinstance(raw, bool):
        raise Invalid(_("Choose one of the listed values."))
    for choice in defn.choices:
        if text in (choice["value"], choice.get("label_zh"), choice.get("label_en")):
            return choice["value"]
    known = ", ".join(c["value"] for c in defn.choices)
    raise Invalid(_("Unknown value %(v)s; choose one of: %(known)s.") % {"v": text, "known": known})


def _multi(defn, raw):
    if isinstance(raw, str):
        raw = [part for part in re.split(r"[,，;；、|]", raw) if normalize_text(part)]
    if not isinstance(raw, list | tuple):
        raise Invalid(_("Choose one or more of the listed values."))
    chosen = {_choice_value(defn, item) for item in raw}
    return [c["value"] for c in defn.choices if c["value"] in chosen]


def _bool(defn, raw):
    if isinstance(raw, bool):
        return raw
    text = normalize_text(str(raw)).lower() if isinstance(raw, str | int) else ""
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise Invalid(_("Enter yes or no."))


def _user(defn, raw):
    User = get_user_model()
    if isinstance(raw, bool):
        raise Invalid(_("Unknown user."))
    if isinstance(raw, int):
        user = User.objects.filter(pk=raw, is_active=True).first()
    elif isinstance(raw, str) and normalize_text(raw):
        text = normalize_text(raw)
        user = User.objects.filter(username=text, is_active=True).first()
        if user is None and text.isdigit():
            user = User.objects.filter(pk=int(text), is_active=True).first()
    else:
        user = None
    if user is None:
        raise Invalid(_("Unknown user %(u)s.") % {"u": raw})
    return user.pk


def _file(defn, raw):
    file_id = raw.get("id") if isinstance(raw, Mapping) else raw
    if isinstance(file_id, str) and file_id.strip().isdigit():
        file_id = int(file_id)
    if not isinstance(file_id, int) or isinstance(file_id, bool):
        raise Invalid(_("Upload the file first and give its id."))
    row = FieldFile.objects.filter(pk=file_id, entity=defn.entity, field_key=defn.key).first()
    if row is None:
        raise Invalid(_("Unknown file %(id)s.") % {"id": file_id})
    return {"id": row.pk, "name": row.name}


CLEANERS: dict[str, Callable[[Any, Any], Any]] = {
    FieldType.TEXT: _text,
    FieldType.NUMBER: _number,
    FieldType.DECIMAL: _decimal,
    FieldType.DATE: _date,
    FieldType.CHOICE: _choice_value,
    FieldType.MULTI: _multi,
    FieldType.BOOL: _bool,
    FieldType.USER: _user,
    FieldType.FILE: _file,
}


def clean_one(defn: FieldDefinition, raw: Any) -> Any:
    """The stored value of ``raw`` for ``defn`` (None when empty), or ``Invalid``."""
    if is_empty(raw):
        return None
    return CLEANERS[defn.type](defn, raw)


def clean_custom(
    *,
    actor: Actor | None,
    definitions: list[FieldDefinition],
    raw: Mapping | None,
    existing: Mapping | None,
    errors: Errors,
    prefix: str = "custom",
    creating: bool,
    enforce_required: bool = True,
) -> dict:
    """The entity's new ``custom`` dict from the values sent (``raw``, possibly partial) and the
    stored ones. Every problem goes to ``errors`` as ``custom.<key>``; values sent for fields the
    actor may not edit raise ``ForbiddenField`` when they would change anything. Fields the actor
    does not see, and values of deleted fields, are kept as they are. Required fields are
    required from whoever may edit them (``enforce_required=False``: records made by the
    system from outside data, e.g. channel orders, which a person completes later)."""
    existing = dict(existing or {})
    raw = dict(raw or {})
    by_key = {d.key: d for d in definitions if d.is_active}
    out = dict(existing)
    forbidden = []
    for key in raw:
        if key not in by_key:
            errors.add(f"{prefix}.{key}", _("Unknown field %(k)s.") % {"k": key})
    for key, defn in by_key.items():
        editable = permissions.custom_field_editable(actor, defn)
        if key in raw:
            try:
                value = clean_one(defn, raw[key])
            except Invalid as exc:
                errors.add(f"{prefix}.{key}", f"{defn.label}: {exc}")
                continue
            if value != existing.get(key):
                if (
                    defn.type == FieldType.FILE
                    and value is not None
                    and not _uploaded_by(actor, value["id"])
                ):
                    # a file id is not a capability: only its uploader attaches it anywhere
                    errors.add(f"{prefix}.{key}", f"{defn.label}: " + _("Upload the file first."))
                    continue
                if not editable:
                    forbidden.append(f"{prefix}.{key}")
                    continue
                if value is None:
                    out.pop(key, None)
                else:
                    out[key] = value
        elif creating and defn.default is not None and key not in existing:
            out[key] = defn.default
        if not (enforce_required and defn.required and editable) or out.get(key) is not None:
            continue
        if creating or key in raw or key in existing:
            errors.add(f"{prefix}.{key}", _("%(f)s is required.") % {"f": defn.label})
        # else: an edit that does not mention a field added after the record was made does not
        # fail on it; the edit form asks for it
    if forbidden:
        raise ForbiddenField(forbidden)
    return out


def _uploaded_by(actor: Actor | None, file_id: int) -> bool:
    return FieldFile.objects.filter(pk=file_id, uploaded_by_id=getattr(actor, "pk", None)).exists()


def display(defn: FieldDefinition, value: Any, users: Mapping[int, str] | None = None) -> str:
    """The value as a person reads it (list cells, detail pages, exports)."""
    if value is None:
        return ""
    if defn.type == FieldType.CHOICE:
        return defn.choice_label(value)
    if defn.type == FieldType.MULTI:
        return "、".join(defn.choice_label(v) for v in value)
    if defn.type == FieldType.BOOL:
        return _("Yes") if value else _("No")
    if defn.type == FieldType.USER:
        return (users or {}).get(value, str(value))
    if defn.type == FieldType.FILE:
        return value.get("name", "") if isinstance(value, Mapping) else ""
    return str(value)


def typed(defn: FieldDefinition, value: Any) -> Any:
    """The stored value as a Python value of its type (exports write real numbers and dates)."""
    if value is None:
        return None
    if defn.type == FieldType.DECIMAL:
        return Decimal(value)
    if defn.type == FieldType.DATE:
        return dt.date.fromisoformat(value)
    return value
