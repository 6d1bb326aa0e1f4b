"""The data half of the policy tables: the stored role definitions, loaded once per process and
reloaded when the policy token changes (``PolicyState``). ``permissions`` reads the token together
with a user's roles (one query, as before), so a change made by one process is seen by every other
process on its next request."""

import uuid
from dataclasses import dataclass, field

LEVELS = ("hidden", "read", "edit")


@dataclass(frozen=True)
class StoredRole:
    code: str
    granted: frozenset[str] = frozenset()
    revoked: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()
    scope: str = ""
    retired: bool = False
    shipped: bool = False
    readonly: frozenset[str] = frozenset()


@dataclass
class Tables:
    token: str | None = None
    roles: dict[str, StoredRole] = field(default_factory=dict)


_current = Tables(token="\0unloaded")


def _load(token: str | None) -> Tables:
    from .models import RoleDefinition

    rows = RoleDefinition.objects.values_list(
        "code", "granted", "revoked", "hidden", "scope", "retired", "shipped", "readonly"
    )
    roles = {
        code: StoredRole(
            code, frozenset(g), frozenset(r), frozenset(h), s, ret, shipped, frozenset(ro or ())
        )
        for code, g, r, h, s, ret, shipped, ro in rows
    }
    return Tables(token=token, roles=roles)


def tables(token: str | None) -> Tables:
    """The stored roles as of ``token`` (reloaded only when it differs from the cached one)."""
    global _current
    if _current.token != token:
        _current = _load(token)
    return _current


def current_token() -> str | None:
    from .models import PolicyState

    return PolicyState.objects.filter(pk=1).values_list("token", flat=True).first()


def fresh() -> Tables:
    """The tables as stored now (one query for the token; admin pages and services use it)."""
    return tables(current_token())


def bump() -> str:
    """Mark the tables changed: every process reloads them on its next request."""
    from .models import PolicyState

    token = uuid.uuid4().hex
    PolicyState.objects.update_or_create(pk=1, defaults={"token": token})
    return token
