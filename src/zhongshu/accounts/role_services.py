"""Roles as data: create, copy, edit, retire and reset a role, preview what a change does, and
never leave the system without an administrator. Every change is one transaction, recorded in the
role's history (who, before → after), and bumps the policy token so every process reloads."""

import json
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from zhongshu.core.actors import Actor
from zhongshu.core.errors import Conflict, NotFound, ValidationFailed
from zhongshu.core.text import normalize_text

from . import permissions, role_tables
from .models import RoleDefinition
from .roles import Role

CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
ADMIN_ACTION = "users.manage"
# an action that reads or writes records through their list needs the right to see them
NEEDS = {
    "orders.edit": "orders.view",
    "orders.export": "orders.view",
    "customers.manage": "customers.view",
    "customers.export": "customers.view",
    "materials.manage": "materials.view",
    "materials.export": "materials.view",
}
INPUT_GROUPS = [g for g in permissions.FIELD_GROUPS if g not in permissions.FIELD_GROUP_FOLLOWS]


def input_groups(data_groups: list[str] | None = None) -> list[str]:
    """The groups a role sets a level for: those of the code tables (less the ones that follow
    another) and those that are data (custom fields' own groups)."""
    if data_groups is None:
        data_groups = [code for code, _label, _meaning in permissions.data_field_groups()]
    return INPUT_GROUPS + data_groups


def role_actions(stored: dict[str, role_tables.StoredRole], code: str) -> set[str]:
    return {a for a in permissions.ACTION_ROLES if permissions._role_allows(stored, code, a)}


def role_fields(
    stored: dict[str, role_tables.StoredRole], code: str, data_groups: list[str] | None = None
) -> dict[str, str]:
    actions = role_actions(stored, code)
    row = stored.get(code)
    out = {}
    for group in input_groups(data_groups)[len(INPUT_GROUPS) :]:
        out[group] = permissions.data_group_level(row, group)
    for group, action in permissions.FIELD_EDIT_ACTIONS.items():
        shown = permissions.FIELD_GROUP_FOLLOWS.get(group, group)
        if action in actions:
            out[group] = "edit"
        elif row is not None and shown in row.hidden:
            out[group] = "hidden"
        else:
            out[group] = "read"
    return out


def role_view(
    role: RoleDefinition,
    stored: dict[str, role_tables.StoredRole],
    users: int | None = None,
    data_groups: list[str] | None = None,
) -> dict[str, Any]:
    """``users``: how many active users hold the role, when the caller counted them already;
    ``data_groups``: the field groups that are data, when the caller read them already."""
    return {
        "code": role.code,
        "name": role.name,
        "shipped": role.shipped,
        "retired": role.retired,
        "scope": permissions.scope_of_role(stored, role.code),
        "actions": sorted(role_actions(stored, role.code)),
        "fields": role_fields(stored, role.code, data_groups),
        "users": _holders(role.code).count() if users is None else users,
    }


def role_list(*, actor: Actor) -> list[dict[str, Any]]:
    permissions.require(actor, ADMIN_ACTION)
    stored = role_tables.fresh().roles
    roles = list(RoleDefinition.objects.all())
    # the holders of every role in one grouped query, not one count per role
    held = dict(
        Group.objects.filter(name__in=[r.code for r in roles])
        .annotate(n=Count("user", filter=Q(user__is_active=True)))
        .values_list("name", "n")
    )
    groups = input_groups()[len(INPUT_GROUPS) :]
    return [role_view(r, stored, users=held.get(r.code, 0), data_groups=groups) for r in roles]


def role_get(*, actor: Actor, code: str) -> dict[str, Any]:
    permissions.require(actor, ADMIN_ACTION)
    return role_view(_get(code), role_tables.fresh().roles)


def _get(code: str, *, lock: bool = False) -> RoleDefinition:
    qs = RoleDefinition.objects.select_for_update() if lock else RoleDefinition.objects
    try:
        return qs.get(code=code)
    except RoleDefinition.DoesNotExist:
        raise NotFound(_("Role not found.")) from None


def _holders(code: str) -> Any:
    return get_user_model().objects.filter(groups__name=code, is_active=True)


def _clean(data: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The definition ``data`` asks for, completed from ``base``; every bad part is reported."""
    errors: dict[str, str] = {}
    name = normalize_text(data["name"]) if data.get("name") is not None else base["name"]
    if not name or len(name) > 60:
        errors["name"] = _("A name of at most 60 characters is required.")
    actions = set(data["actions"]) if data.get("actions") is not None else set(base["actions"])
    unknown = sorted(actions - set(permissions.ACTION_ROLES))
    if unknown:
        errors["actions"] = _("Unknown action: %(names)s") % {"names": ", ".join(unknown)}
    fields = dict(base["fields"])
    known = input_groups()
    for group, level in (data.get("fields") or {}).items():
        if group not in known or level not in role_tables.LEVELS:
            errors[f"fields.{group}"] = _("Unknown field group or level.")
        else:
            fields[group] = level
    if data.get("fields") is not None:  # the levels decide the groups' edit actions
        for group in INPUT_GROUPS:
            action = permissions.FIELD_EDIT_ACTIONS[group]
            actions.discard(action)
            if fields[group] == "edit":
                actions.add(action)
    missing = sorted({NEEDS[a] for a in actions if a in NEEDS and NEEDS[a] not in actions})
    if missing and "actions" not in errors:
        errors["actions"] = _("These actions also need: %(names)s") % {"names": ", ".join(missing)}
    scope = data.get("scope") or base["scope"]
    if scope not in permissions.SCOPES:
        errors["scope"] = _("Unknown scope.")
    if errors:
        raise ValidationFailed(errors)
    return {"name": name, "actions": actions, "fields": fields, "scope": scope}


def _apply(role: RoleDefinition, wanted: dict[str, Any]) -> None:
    """Store ``wanted`` as differences from the code tables (a shipped role) or as is."""
    defaults = {a for a, roles in permissions.ACTION_ROLES.items() if role.code in roles}
    if not role.shipped:
        defaults = set()
    role.name = wanted["name"]
    role.granted = sorted(wanted["actions"] - defaults)
    role.revoked = sorted(defaults - wanted["actions"])
    role.hidden = sorted(g for g, level in wanted["fields"].items() if level == "hidden")
    # read-only is stored for the groups that are data; a code group's edit level is its action
    role.readonly = sorted(
        g
        for g, level in wanted["fields"].items()
        if level == "read" and g not in permissions.FIELD_EDIT_ACTIONS
    )
    default_scope = permissions.DEFAULT_SCOPES.get(role.code, "none") if role.shipped else ""
    role.scope = "" if wanted["scope"] == default_scope else wanted["scope"]


def _stored_with(role: RoleDefinition) -> dict[str, role_tables.StoredRole]:
    stored = dict(role_tables.fresh().roles)
    stored[role.code] = role_tables.StoredRole(
        role.code,
        frozenset(role.granted),
        frozenset(role.revoked),
        frozenset(role.hidden),
        role.scope,
        role.retired,
        role.shipped,
        frozenset(role.readonly),
    )
    return stored


def _admins(stored: dict[str, role_tables.StoredRole]) -> int:
    codes = set(Role.values) | set(stored)
    admin_codes = [
        c
        for c in codes
        if not (c in stored and stored[c].retired) and ADMIN_ACTION in role_actions(stored, c)
    ]
    users = get_user_model().objects.filter(is_active=True, groups__name__in=admin_codes)
    return users.distinct().count()


def _refuse_last_admin(stored: dict[str, role_tables.StoredRole]) -> None:
    if _admins(stored) == 0:
        raise Conflict(
            _("This change would leave nobody who may administer users and roles."),
            code="last_admin",
        )


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "gains": sorted(set(after["actions"]) - set(before["actions"])),
        "losses": sorted(set(before["actions"]) - set(after["actions"])),
        "fields": {
            g: [before["fields"][g], after["fields"][g]]
            for g in after["fields"]
            if before["fields"].get(g) != after["fields"][g]
        },
    }
    if before["scope"] != after["scope"]:
        out["scope"] = [before["scope"], after["scope"]]
    if before["name"] != after["name"]:
        out["name"] = [before["name"], after["name"]]
    return out


def _save(actor: Actor, role: RoleDefinition, before: dict[str, Any]) -> dict[str, Any]:
    stored = _stored_with(role)
    after = role_view(role, stored)
    _refuse_last_admin(stored)
    change = _diff(before, after)
    role._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    # the history row holds the whole definition after the change (the previous row: before)
    reason = json.dumps(change, ensure_ascii=False)
    role._change_reason = reason if len(reason) <= 100 else reason[:99] + "…"  # type: ignore[attr-defined]
    role.save()
    role_tables.bump()
    permissions.forget_cached(actor)
    return {**role_view(role, role_tables.fresh().roles), "change": change}


def role_preview(*, actor: Actor, code: str, data: dict[str, Any]) -> dict[str, Any]:
    """What saving ``data`` would change, and whom it affects; nothing is written."""
    permissions.require(actor, ADMIN_ACTION)
    role = _get(code)
    before = role_view(role, role_tables.fresh().roles)
    _apply(role, _clean(data, before))
    change = _diff(before, role_view(role, _stored_with(role)))
    users = list(_holders(code).order_by("username").values_list("username", flat=True))
    return {**change, "users": users, "user_count": len(users)}


@transaction.atomic
def role_update(*, actor: Actor, code: str, data: dict[str, Any]) -> dict[str, Any]:
    permissions.require(actor, ADMIN_ACTION)
    role = _get(code, lock=True)
    before = role_view(role, role_tables.fresh().roles)
    _apply(role, _clean(data, before))
    return _save(actor, role, before)


@transaction.atomic
def role_create(
    *, actor: Actor, code: str, data: dict[str, Any], copy_from: str | None = None
) -> dict[str, Any]:
    """A new role, empty or a copy of ``copy_from`` (its actions, fields and scope as they are)."""
    permissions.require(actor, ADMIN_ACTION)
    code = (code or "").strip()
    if not CODE.match(code):
        raise ValidationFailed({"code": _("2–32 lowercase letters, digits or _, a letter first.")})
    if RoleDefinition.objects.filter(code=code).exists() or code in Role.values:
        raise ValidationFailed({"code": _("This code is taken.")})
    stored = role_tables.fresh().roles
    if copy_from:
        base = role_view(_get(copy_from), stored)
    else:
        empty = {g: "read" for g in permissions.FIELD_EDIT_ACTIONS}
        empty.update({g: "edit" for g in input_groups()[len(INPUT_GROUPS) :]})
        base = {"name": "", "actions": [], "fields": empty, "scope": "none"}
    role = RoleDefinition(code=code, shipped=False)
    _apply(role, _clean(data, base))
    Group.objects.get_or_create(name=code)
    before = {**base, "name": "", "actions": [], "scope": "none"}
    return _save(actor, role, {**before, "fields": dict(base["fields"])})


@transaction.atomic
def role_retire(*, actor: Actor, code: str, retired: bool = True) -> dict[str, Any]:
    """A retired role grants nothing; its holders keep it and get it back if it is restored."""
    permissions.require(actor, ADMIN_ACTION)
    role = _get(code, lock=True)
    before = role_view(role, role_tables.fresh().roles)
    role.retired = retired
    return _save(actor, role, before)


@transaction.atomic
def role_reset(*, actor: Actor, code: str) -> dict[str, Any]:
    """A shipped role back to its defaults in the code tables."""
    permissions.require(actor, ADMIN_ACTION)
    role = _get(code, lock=True)
    if not role.shipped:
        raise Conflict(_("Only a shipped role has defaults to return to."), code="not_shipped")
    before = role_view(role, role_tables.fresh().roles)
    role.granted, role.revoked, role.hidden, role.scope = [], [], [], ""
    role.readonly = []
    role.name = str(Role(code).label)
    return _save(actor, role, before)


def known_roles() -> set[str]:
    """The role codes a user may be given: shipped and stored, not retired."""
    stored = role_tables.fresh().roles
    return (set(Role.values) | set(stored)) - {c for c, r in stored.items() if r.retired}


def user_roles_leave_an_admin(user_id: int, roles: list[str]) -> bool:
    """Would giving user ``user_id`` exactly ``roles`` leave someone who administers users?"""
    stored = role_tables.fresh().roles
    codes = set(Role.values) | set(stored)
    admin_codes = {
        c
        for c in codes
        if not (c in stored and stored[c].retired) and ADMIN_ACTION in role_actions(stored, c)
    }
    if admin_codes & set(roles):
        return True
    users = get_user_model().objects.filter(is_active=True, groups__name__in=admin_codes)
    return users.exclude(pk=user_id).exists()


def role_choices() -> list[tuple[str, str]]:
    """(code, name) of the roles a user may be given, shipped ones first."""
    known = known_roles()
    stored = {r.code: r.name for r in RoleDefinition.objects.all()}
    shipped = [(r.value, stored.get(r.value) or str(r.label)) for r in Role if r.value in known]
    extra = sorted((c, n) for c, n in stored.items() if c in known and c not in Role.values)
    return shipped + extra
