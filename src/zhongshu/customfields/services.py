"""Defining, changing and deleting custom fields (administrators only), and file uploads for
fields of type "file". Each function checks permissions first and is one transaction; the
database index of a filterable field is built after the transaction commits."""

import logging
import secrets
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts.role_services import known_roles
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound, ValidationFailed
from zhongshu.core.text import normalize_text
from zhongshu.core.uploads import safe_name, sniff
from zhongshu.core.validation import Errors

from . import query, registry
from .exceptions import FieldInUse
from .models import KEY_RE, Entity, FieldDefinition, FieldFile, FieldType
from .values import Invalid, clean_one

log = logging.getLogger(__name__)

MAX_FIELDS = 50  # active fields per entity
MAX_CHOICES = 100
MAX_FILE_BYTES = 10 * 1024 * 1024
EDITABLE = (
    "label_zh", "label_en", "type", "required", "default", "choices", "decimal_places",
    "help_text", "view_roles", "edit_roles", "position", "filterable", "field_group",
)  # fmt: skip
# the groups of the code tables a field may join (blank: a group of its own)
JOINABLE_GROUPS = [
    g for g in permissions.FIELD_EDIT_ACTIONS if g not in permissions.FIELD_GROUP_FOLLOWS
]
RESERVED = {"id", "pk", "custom", "sort", "cursor", "offset", "limit", "q", "view"}


def _clean_roles(errors: Errors, field: str, value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",") if v.strip()]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors.add(field, _("Give a list of roles."))
        return []
    # shipped or created, not retired: a role an admin made may be named like a shipped one
    unknown = sorted({v.strip() for v in value} - known_roles())
    if unknown:
        errors.add(field, _("Unknown roles: %(r)s.") % {"r": ", ".join(unknown)})
        return []
    return sorted({v.strip() for v in value})


def _clean_group(errors: Errors, value: Any) -> str:
    group = normalize_text(value) if isinstance(value, str) else value
    if group in (None, ""):
        return ""
    if group not in JOINABLE_GROUPS:
        errors.add(
            "field_group",
            _("Choose one of: %(c)s, or leave it blank.") % {"c": ", ".join(JOINABLE_GROUPS)},
        )
        return ""
    return str(group)


def _clean_choices(errors: Errors, value: Any) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        errors.add("choices", _("Give a list of choices."))
        return []
    out, seen = [], set()
    for i, item in enumerate(value):
        if isinstance(item, str):
            item = {"value": item}
        if not isinstance(item, dict):
            errors.add(f"choices[{i}]", _("Each choice has a value and labels."))
            continue
        val = normalize_text(item.get("value"))
        zh = normalize_text(item.get("label_zh")) or val
        en = normalize_text(item.get("label_en")) or val
        if not val or len(val) > 60 or len(zh) > 60 or len(en) > 60:
            errors.add(f"choices[{i}]", _("A choice needs a value of at most 60 characters."))
            continue
        if val in seen:
            errors.add(f"choices[{i}]", _("The value %(v)s appears twice.") % {"v": val})
            continue
        seen.add(val)
        out.append({"value": val, "label_zh": zh, "label_en": en})
    if len(out) > MAX_CHOICES:
        errors.add("choices", _("At most %(n)d choices.") % {"n": MAX_CHOICES})
    return out


def _clean_definition(errors: Errors, defn: FieldDefinition, data: dict) -> None:
    """Apply and check ``data`` (only the keys given) on ``defn``."""
    for name in ("label_zh", "label_en", "help_text"):
        if name in data:
            text = normalize_text(data[name])
            limit = 200 if name == "help_text" else 60
            if len(text) > limit:
                errors.add(name, _("At most %(n)d characters.") % {"n": limit})
            setattr(defn, name, text)
    if not defn.label_zh and not defn.label_en:
        errors.add("label_zh", _("Give the field a label."))
    if "type" in data:
        if data["type"] not in FieldType.values:
            errors.add("type", _("Choose one of: %(c)s.") % {"c": ", ".join(FieldType.values)})
        else:
            defn.type = data["type"]
    for name in ("required", "filterable"):
        if name in data:
            if not isinstance(data[name], bool):
                errors.add(name, _("true or false is needed"))
            else:
                setattr(defn, name, data[name])
    for name, low, high in (("decimal_places", 0, 6), ("position", 0, 9999)):
        if name in data:
            value = data[name]
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                errors.add(name, _("A whole number from %(a)d to %(b)d.") % {"a": low, "b": high})
            else:
                setattr(defn, name, value)
    if "choices" in data:
        defn.choices = _clean_choices(errors, data["choices"])
    if defn.type in (FieldType.CHOICE, FieldType.MULTI) and not defn.choices:
        errors.add("choices", _("A choice field needs at least one choice."))
    if defn.type not in (FieldType.CHOICE, FieldType.MULTI):
        defn.choices = []
    for name in ("view_roles", "edit_roles"):
        if name in data:
            setattr(defn, name, _clean_roles(errors, name, data[name]))
    if "field_group" in data:
        defn.field_group = _clean_group(errors, data["field_group"])
    if defn.filterable and defn.type == FieldType.FILE:
        errors.add("filterable", _("File fields cannot be filtered or sorted."))
    if "default" in data or "type" in data or "choices" in data:
        raw = data.get("default", defn.default)
        if defn.type in (FieldType.FILE, FieldType.USER) and raw not in (None, ""):
            errors.add("default", _("This type of field has no default."))
        else:
            try:
                defn.default = clean_one(defn, raw)
            except Invalid as exc:
                errors.add("default", str(exc))


def _values_exist(defn: FieldDefinition) -> bool:
    model = registry.model_for(defn.entity)
    return model.objects.filter(**{f"{query.COLUMN}__has_key": defn.key}).exists()


def _index_after_commit(defn: FieldDefinition) -> None:
    pk = defn.pk
    transaction.on_commit(lambda: sync_index(field_id=pk))


def sync_index(*, field_id: int) -> None:
    """Build or drop the expression index of a field to match its ``filterable`` flag.
    Builds without blocking writers on PostgreSQL (CONCURRENTLY) when not inside a transaction;
    idempotent, so a crash half-way is mended by running it again (``zhongshu customfields-index``)."""
    defn = FieldDefinition.objects.filter(pk=field_id).first()
    if defn is None:
        return
    table = registry.model_for(defn.entity)._meta.db_table
    want = defn.filterable and defn.is_active
    sql = (
        query.index_sql(defn, table, concurrently=not connection.in_atomic_block) if want else None
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # inside a transaction (e.g. seeding the demo): PostgreSQL refuses CREATE INDEX on a
            # table with deferred constraint checks still pending; run them now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if want and connection.vendor == "postgresql" and not connection.in_atomic_block:
            # an interrupted CONCURRENTLY build leaves an invalid index that IF NOT EXISTS skips
            cursor.execute(
                "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s AND NOT i.indisvalid",
                [query.index_name(defn)],
            )
            if cursor.fetchone():
                cursor.execute(query.drop_index_sql(defn))
        cursor.execute(sql if sql else query.drop_index_sql(defn))
    FieldDefinition.objects.filter(pk=field_id).update(indexed=bool(sql))


@transaction.atomic
def field_create(*, actor: Actor, entity: str, key: str, **data) -> FieldDefinition:
    permissions.require(actor, "customfields.manage")
    errors = Errors()
    if entity not in Entity.values:
        errors.add("entity", _("Choose one of: %(c)s.") % {"c": ", ".join(Entity.values)})
    key = normalize_text(key).lower()
    if not KEY_RE.fullmatch(key):
        errors.add(
            "key",
            _("Use lower-case letters, digits and _, starting with a letter (at most 40)."),
        )
    elif key in RESERVED:
        errors.add("key", _("%(k)s is reserved; choose another key.") % {"k": key})
    unknown = set(data) - set(EDITABLE)
    if unknown:
        errors.add("fields", _("Unknown keys: %(k)s") % {"k": ", ".join(sorted(unknown))})
    data.setdefault("type", FieldType.TEXT)
    defn = FieldDefinition(entity=entity, key=key, created_by=actor)
    _clean_definition(errors, defn, data)
    errors.raise_if_any()
    existing = FieldDefinition.objects.select_for_update().filter(entity=entity)
    if any(d.key == key for d in existing):
        raise ValidationFailed(
            {"key": _("The key %(k)s is taken (deleted fields keep their key).") % {"k": key}}
        )
    if sum(1 for d in existing if d.is_active) >= MAX_FIELDS:
        raise ValidationFailed({"key": _("At most %(n)d fields per record.") % {"n": MAX_FIELDS}})
    defn._history_user = actor
    defn.save()
    if defn.filterable:
        _index_after_commit(defn)
    return defn


def _lock(field_id: Any) -> FieldDefinition:
    try:
        return FieldDefinition.objects.select_for_update().get(pk=int(field_id))
    except (FieldDefinition.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def _removed_choices_in_use(defn: FieldDefinition, removed: set[str]) -> dict[str, int]:
    model = registry.model_for(defn.entity)
    counts = {}
    for value in sorted(removed):
        op = "contains" if defn.type == FieldType.MULTI else "eq"
        aliases, q = query.condition(defn, op, value)
        n = model.objects.alias(**aliases).filter(q).count()
        if n:
            counts[value] = n
    return counts


def _migrate_choices(defn: FieldDefinition, mapping: dict[str, str | None]) -> int:
    """Rewrite stored values of removed choices (``old → new``, or ``old → None`` to clear).
    Chunked so a million rows never sit in memory; the entity's history is not written row by
    row (the definition's history records the migration)."""
    model = registry.model_for(defn.entity)
    changed = 0
    for old, new in mapping.items():
        op = "contains" if defn.type == FieldType.MULTI else "eq"
        aliases, q = query.condition(defn, op, old)
        while True:
            batch = list(model.objects.alias(**aliases).filter(q).only("id", "custom")[:1000])
            if not batch:
                break
            for row in batch:
                value = row.custom.get(defn.key)
                if defn.type == FieldType.MULTI:
                    kept = [v for v in value if v != old] + ([new] if new else [])
                    order = [c["value"] for c in defn.choices]
                    value = [v for v in order if v in set(kept)]
                else:
                    value = new
                if value in (None, []):
                    row.custom.pop(defn.key, None)
                else:
                    row.custom[defn.key] = value
            model.objects.bulk_update(batch, ["custom"])
            changed += len(batch)
    return changed


@transaction.atomic
def field_update(
    *, actor: Actor, field_id: Any, data: dict, migrate_choices: dict | None = None
) -> FieldDefinition:
    """Change a field. Its key and entity never change. A type change is refused while values
    or rules use the field; removing choices that are in use is refused unless
    ``migrate_choices`` maps each of them to a remaining choice (or to null: clear)."""
    permissions.require(actor, "customfields.manage")
    defn = _lock(field_id)
    if not defn.is_active:
        raise NotFound()
    errors = Errors()
    unknown = set(data) - set(EDITABLE)
    if unknown:
        errors.add("fields", _("Unknown keys: %(k)s") % {"k": ", ".join(sorted(unknown))})
    before_type, before_choices = defn.type, {c["value"] for c in defn.choices}
    before_filterable = defn.filterable
    _clean_definition(errors, defn, data)
    errors.raise_if_any()
    if defn.type != before_type:
        places = registry.used_by(defn)
        if _values_exist(defn):
            places.insert(0, _("stored values"))
        if places:
            raise FieldInUse(
                _("The type cannot change while the field is in use (%(p)s).")
                % {"p": "; ".join(places)},
                details={"used_by": places},
            )
    removed = before_choices - {c["value"] for c in defn.choices}
    if removed and defn.type == before_type:
        in_use = _removed_choices_in_use(defn, removed)
        mapping = {k: v for k, v in (migrate_choices or {}).items() if k in in_use}
        missing = sorted(set(in_use) - set(mapping))
        remaining = {c["value"] for c in defn.choices}
        bad = sorted(v for v in mapping.values() if v is not None and v not in remaining)
        if missing or bad:
            raise FieldInUse(
                _(
                    "Choices still in use: %(c)s. Say which remaining choice each one becomes "
                    "(or that its values are cleared)."
                )
                % {"c": ", ".join(f"{k} ({n})" for k, n in sorted(in_use.items()))},
                details={"in_use": in_use, "unknown_targets": bad},
            )
        _migrate_choices(defn, mapping)
    defn._history_user = actor
    defn._change_reason = _("choices migrated: %(m)s") % {"m": migrate_choices} if removed else ""
    defn.save()
    if defn.filterable != before_filterable or (defn.filterable and defn.type != before_type):
        _index_after_commit(defn)
    return defn


@transaction.atomic
def field_delete(*, actor: Actor, field_id: Any) -> FieldDefinition:
    """Delete a field from forms, lists and the API. Stored values and the field's history stay
    (its key stays taken) so the audit trail can still show them; restoring brings it back."""
    permissions.require(actor, "customfields.manage")
    defn = _lock(field_id)
    if not defn.is_active:
        return defn
    places = registry.used_by(defn)
    if places:
        raise FieldInUse(
            _("The field is used by %(p)s; change those first.") % {"p": "; ".join(places)},
            details={"used_by": places},
        )
    defn.archived_at = timezone.now()
    defn._history_user = actor
    defn.save()
    if defn.indexed:
        _index_after_commit(defn)
    return defn


@transaction.atomic
def field_restore(*, actor: Actor, field_id: Any) -> FieldDefinition:
    permissions.require(actor, "customfields.manage")
    defn = _lock(field_id)
    if defn.is_active:
        return defn
    if FieldDefinition.objects.filter(entity=defn.entity, archived_at__isnull=True).count() >= (
        MAX_FIELDS
    ):
        raise ValidationFailed({"key": _("At most %(n)d fields per record.") % {"n": MAX_FIELDS}})
    defn.archived_at = None
    defn._history_user = actor
    defn.save()
    if defn.filterable:
        _index_after_commit(defn)
    return defn


@transaction.atomic
def file_upload(*, actor: Actor, entity: str, key: str, upload) -> FieldFile:
    """Store a file for a "file" field; the returned id is then given as the field's value."""
    defn = FieldDefinition.objects.filter(
        entity=entity, key=key, type=FieldType.FILE, archived_at__isnull=True
    ).first()
    if defn is None:
        raise NotFound()
    if not permissions.custom_field_editable(actor, defn):
        raise permissions.PermissionDenied(details={"field": key})
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationFailed({"file": _("The file is empty.")})
    if size > MAX_FILE_BYTES:
        raise ValidationFailed(
            {"file": _("The file is larger than %(n)d MB.") % {"n": MAX_FILE_BYTES >> 20}}
        )
    upload.seek(0)
    kind = sniff(upload.read(4096))
    upload.seek(0)
    if kind is None:
        raise ValidationFailed(
            {"file": _("Only PDF, PNG, JPG, DWG, DXF and XLSX files are accepted.")}
        )
    ctype, ext = kind
    name = safe_name(getattr(upload, "name", ""), ext)
    row = FieldFile(
        token=secrets.token_hex(16),
        name=name,
        content_type=ctype,
        size=size,
        entity=entity,
        field_key=key,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    row.file.save(name, upload, save=False)
    row.save()
    return row
