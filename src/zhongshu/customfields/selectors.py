"""Which custom fields a user sees, edits and filters on, and their values as the user may see
them. Definitions are read once per entity per request (cached on the user object, like roles)."""

import time
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound

from . import registry
from .models import Entity, FieldDefinition, FieldFile, FieldType

# Definitions are read once per entity per request: cached on the user object of the request.
# A change made in this process invalidates at once (``GENERATION``); a long-lived user object
# (the worker's system account) also reloads after ``MAX_AGE`` seconds, for changes made in
# other processes.
GENERATION = [0]
MAX_AGE = 30.0


def definitions_changed(**kwargs) -> None:
    GENERATION[0] += 1


def definitions(entity: str, *, actor: Actor | None = None) -> list[FieldDefinition]:
    """Active definitions of ``entity`` in form order."""
    cache = getattr(actor, "_zs_customfields", None) if actor is not None else None
    now = time.monotonic()
    if cache is not None and entity in cache:
        generation, at, found = cache[entity]
        if generation == GENERATION[0] and now - at < MAX_AGE:
            return found
    found = list(FieldDefinition.objects.filter(entity=entity, archived_at__isnull=True))
    if actor is not None:
        if cache is None:
            cache = {}
            try:
                setattr(actor, "_zs_customfields", cache)  # noqa: B010  (a cache the User type does not declare)
            except AttributeError:
                return found
        cache[entity] = (GENERATION[0], now, found)
    return found


def forget_cached(actor: Actor) -> None:
    if hasattr(actor, "_zs_customfields"):
        del actor._zs_customfields


def visible(actor: Actor, entity: str) -> list[FieldDefinition]:
    return [
        d for d in definitions(entity, actor=actor) if permissions.custom_field_visible(actor, d)
    ]


def editable(actor: Actor, entity: str) -> list[FieldDefinition]:
    return [
        d for d in definitions(entity, actor=actor) if permissions.custom_field_editable(actor, d)
    ]


def filterable(actor: Actor, entity: str) -> list[FieldDefinition]:
    return [d for d in visible(actor, entity) if d.filterable]


def visible_values(actor: Actor, entity: str, custom: Mapping | None) -> dict[str, Any]:
    """The stored values the actor may see (hidden and deleted fields left out)."""
    custom = custom or {}
    return {d.key: custom[d.key] for d in visible(actor, entity) if d.key in custom}


def user_names(defs, rows_custom) -> dict[int, str]:
    """Display names of the users that "user" fields of these rows name — one query."""
    keys = [d.key for d in defs if d.type == FieldType.USER]
    ids = {c.get(k) for c in rows_custom for k in keys if isinstance((c or {}).get(k), int)}
    if not ids:
        return {}
    User = get_user_model()
    return {
        u.pk: (u.get_full_name() or u.get_username())
        for u in User.objects.filter(pk__in=ids).only("id", "username", "first_name", "last_name")
    }


def definition_list(*, actor: Actor, entity: str | None = None, include_deleted: bool = True):
    permissions.require(actor, "customfields.manage")
    qs = FieldDefinition.objects.all()
    if entity:
        qs = qs.filter(entity=entity)
    if not include_deleted:
        qs = qs.filter(archived_at__isnull=True)
    return qs.order_by("entity", "archived_at", "position", "id")


def definition_get(*, actor: Actor, field_id) -> FieldDefinition:
    permissions.require(actor, "customfields.manage")
    try:
        return FieldDefinition.objects.get(pk=int(field_id))
    except (FieldDefinition.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def file_get(*, actor: Actor, file_id) -> FieldFile:
    """A stored file, if the actor uploaded it or sees a record whose visible field holds it;
    otherwise NotFound (the file's existence is not revealed)."""
    try:
        row = FieldFile.objects.get(pk=int(file_id))
    except (FieldFile.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None
    if row.uploaded_by_id == getattr(actor, "pk", None):
        return row
    defn = next((d for d in visible(actor, row.entity) if d.key == row.field_key), None)
    if defn is None or row.entity not in Entity.values:
        raise NotFound()
    model = registry.model_for(row.entity)
    qs = registry.SCOPES[row.entity](actor, model.objects.all())
    if not qs.filter(**{f"custom__{row.field_key}__id": row.pk}).exists():
        raise NotFound()
    return row
