"""Every permission decision of Zhongshu lives here (SPEC §2).

Three kinds of decision:

* action permissions — ``can(user, "orders.create")`` / ``require(user, …)``; registered with
  ``rules`` so ``user.has_perm`` and templates see the same answer;
* object scope — ``scope_orders(user, qs)`` and friends narrow a queryset to what the user may see
  (region for sales, stage for QC and production); everything outside it is reported as 404;
* field permissions — ``forbidden_fields(user, "order", changed)`` names fields the user may not change.

The tables they decide with (the built-in roles' default grants, the field groups) are in
``grants`` and re-exported here.

Services call these first thing; selectors start from the scoped querysets; the API, web views,
exports and dashboards only ever go through services and selectors.
"""

import json
from collections.abc import Callable, Iterable
from typing import Any, cast

import rules
from django.db import connection
from django.db.models import Q, QuerySet

from zhongshu.core.actors import Actor, AnyUser
from zhongshu.core.errors import ForbiddenField, NotFound, PermissionDenied

from . import role_tables

# the tables, re-exported: callers read them from here
from .grants import ACTION_ROLES as ACTION_ROLES
from .grants import EVERYONE_BUT_OPERATOR as EVERYONE_BUT_OPERATOR
from .grants import FIELD_EDIT_ACTIONS as FIELD_EDIT_ACTIONS
from .grants import FIELD_GROUP_FOLLOWS as FIELD_GROUP_FOLLOWS
from .grants import FIELD_GROUPS as FIELD_GROUPS
from .grants import GROUP_OF as _GROUP_OF
from .grants import PRICE_FIELDS as PRICE_FIELDS
from .roles import Role

R = Role

# --- who holds what -------------------------------------------------------------------------


def roles_of(user: AnyUser) -> frozenset[str]:
    """The user's role codes (retired roles left out), read once per request object together
    with the policy token that says whether the stored role tables are still current."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_zs_roles", None)
    if cached is None:
        with connection.cursor() as cur:
            cur.execute(f"SELECT {roles_sql('%s')}", [user.pk])
            names, token = cur.fetchone()
        cached = remember_roles(user, names, token)
    return cast(frozenset[str], cached)


def remember_roles(user: AnyUser, names: Any, token: str | None) -> frozenset[str]:
    """Keep the user's role codes as read with the policy ``token`` (``names``: the JSON array
    of ``roles_sql``) on the user object (the request's), and return them: ``roles_of`` then
    answers without a query. Retired roles are left out."""
    if isinstance(names, str):  # SQLite hands the JSON array back as text
        names = json.loads(names)
    names = list(names or ())  # PostgreSQL: NULL for a user without roles
    cached: frozenset[str] = frozenset()
    if names:
        stored = role_tables.tables(token).roles
        cached = frozenset(n for n in names if not (n in stored and stored[n].retired))
        user._zs_policy = token  # type: ignore[union-attr]  # the tables the roles were read with
    user._zs_roles = cached  # type: ignore[union-attr]  # a cache on the request's user
    return cached


def roles_sql(user_id_column: str) -> str:
    """Two columns for a query that reads a user (``user_id_column``): the user's role codes as
    a JSON array and the policy token, so a request's user comes with its roles in one
    statement (``remember_roles``)."""
    from django.contrib.auth.models import Group

    from .models import PolicyState

    qn = connection.ops.quote_name
    group = qn(Group._meta.db_table)
    member = qn(Group.user_set.through._meta.db_table)
    policy = qn(PolicyState._meta.db_table)
    agg = "json_agg" if connection.vendor == "postgresql" else "json_group_array"
    return (
        f"(SELECT {agg}(g.name) FROM {group} g JOIN {member} m ON m.group_id = g.id"
        f" WHERE m.user_id = {user_id_column}) AS zs_role_names,"
        f" (SELECT token FROM {policy} WHERE id = 1) AS zs_policy_token"
    )


def _stored(user: AnyUser) -> dict[str, role_tables.StoredRole]:
    roles_of(user)
    return role_tables.tables(getattr(user, "_zs_policy", None)).roles


def region_ids_of(user: AnyUser) -> frozenset[int]:
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_zs_regions", None)
    if cached is None:
        from .models import Region

        cached = frozenset(Region.objects.filter(members__user=user).values_list("id", flat=True))
        user._zs_regions = cached  # type: ignore[attr-defined]  # a cache on the request's user
    return cached


def forget_cached(user: AnyUser) -> None:
    for attr in ("_zs_roles", "_zs_regions", "_zs_policy", "_zs_hidden"):
        if hasattr(user, attr):
            delattr(user, attr)


def has_role(user: AnyUser, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


# --- action permissions -------------------------------------------------------------------------


def _role_allows(stored: dict[str, role_tables.StoredRole], role: str, action: str) -> bool:
    row = stored.get(role)
    if row is not None and action in row.granted:
        return True
    return role in ACTION_ROLES[action] and not (row is not None and action in row.revoked)


def can(user: AnyUser, action: str, obj: Any = None) -> bool:
    if action not in ACTION_ROLES:
        raise KeyError(f"unknown action {action!r}")
    roles = roles_of(user)
    if not roles:
        return False
    stored = _stored(user)
    if not any(_role_allows(stored, role, action) for role in roles):
        return False
    check = OBJECT_RULES.get(action)
    if obj is not None and check is not None:
        # has_role above: only an active, signed-in user holds a role
        return check(cast(Actor, user), obj)
    return True


def require(user: AnyUser, action: str, obj: Any = None) -> None:
    """Raise ``PermissionDenied`` unless the user may do ``action`` (on ``obj``)."""
    if not can(user, action, obj):
        raise PermissionDenied(details={"action": action})


def forbidden_fields(user: AnyUser, entity: str, changed: Iterable[str]) -> set[str]:
    """The changed fields the user may not edit (their group's edit action is not held)."""
    bad = set()
    for name in changed:
        group = _GROUP_OF.get((entity, name))
        if group is not None and not can(user, FIELD_EDIT_ACTIONS[group]):
            bad.add(name)
    return bad


# --- field groups that are data: a custom field's own group ---------------------------------------

# (code, label, meaning) of each such group; the app that owns them registers where they come from
DataGroup = tuple[str, str, str]
_GROUP_SOURCES: list[Callable[[], list[DataGroup]]] = []


def field_group_source(source: Callable[[], list[DataGroup]]) -> None:
    """Register a source of field groups that are data (customfields: a field's own group)."""
    _GROUP_SOURCES.append(source)


def data_field_groups() -> list[DataGroup]:
    return [group for source in _GROUP_SOURCES for group in source()]


def data_group_level(row: role_tables.StoredRole | None, group: str) -> str:
    """A role's level of a group that is data: ``edit`` unless the role hides it or reads it only
    (what it may edit is still bounded by its right to edit the record)."""
    if row is not None and group in row.hidden:
        return "hidden"
    if row is not None and group in row.readonly:
        return "read"
    return "edit"


def _data_level(user: AnyUser, group: str) -> str:
    roles = roles_of(user)
    if not roles:
        return "hidden"
    stored = _stored(user)
    levels = {data_group_level(stored.get(role), group) for role in roles}
    return next(level for level in ("edit", "read", "hidden") if level in levels)


def field_level(user: AnyUser, group: str) -> str:
    """``edit``, ``read`` or ``hidden``: how the user meets the fields of ``group``."""
    if group not in FIELD_EDIT_ACTIONS:
        return _data_level(user, group)
    if can(user, FIELD_EDIT_ACTIONS[group]):
        return "edit"
    shown = FIELD_GROUP_FOLLOWS.get(group, group)
    stored = _stored(user)
    if all(r in stored and shown in stored[r].hidden for r in roles_of(user)):
        return "hidden"
    return "read"


def hidden_fields(user: AnyUser, entity: str) -> set[str]:
    """The fields of ``entity`` the user may not see: omitted from pages and exports, ``null``
    in API responses."""
    cached = getattr(user, "_zs_hidden", None)
    if cached is None:
        cached = {}
        if user is not None:
            setattr(user, "_zs_hidden", cached)  # noqa: B010  (a cache on the request's user)
    if entity not in cached:
        cached[entity] = {
            name
            for group, entities in FIELD_GROUPS.items()
            if field_level(user, group) == "hidden"
            for name in entities.get(entity, ())
        }
    return set(cached[entity])


def readonly_fields(user: AnyUser, entity: str) -> set[str]:
    """The fields of ``entity`` the user sees but may not change (forms show them disabled)."""
    return {
        name
        for group, entities in FIELD_GROUPS.items()
        if field_level(user, group) == "read"
        for name in entities.get(entity, ())
    }


def shown(user: AnyUser, entity: str, obj: Any, name: str) -> Any:
    """``obj``'s value of field ``name``, or ``None`` when the user's roles hide its group (what
    API responses return for a hidden field)."""
    if name in hidden_fields(user, entity):
        return None
    return getattr(obj, name)


def custom_field_visible(user: AnyUser, definition: Any) -> bool:
    """Whether the user sees a custom field: its field group (``definition.group``) is not
    hidden to them, and its own role list, if any, names one of their roles (those who manage
    custom fields pass the list)."""
    # no user: the system (a job, a sync, an approved change applied), which field groups bind not
    if user is not None and field_level(user, definition.group) == "hidden":
        return False
    roles = definition.view_roles
    return not roles or has_role(user, *roles) or can(user, "customfields.manage")


def custom_field_editable(user: AnyUser, definition: Any) -> bool:
    """Seen, its field group editable to the user, and its edit role list (if any) passed."""
    if not custom_field_visible(user, definition):
        return False
    if user is not None and field_level(user, definition.group) != "edit":
        return False
    roles = definition.edit_roles
    return not roles or has_role(user, *roles) or can(user, "customfields.manage")


def require_fields(user: AnyUser, entity: str, changed: Iterable[str]) -> None:
    bad = forbidden_fields(user, entity, changed)
    if bad:
        raise ForbiddenField(sorted(bad))


def require_changed_fields(
    user: AnyUser, entity: str, cleaned: dict[str, Any], current: Any
) -> None:
    """``require_fields`` for the fields of ``cleaned`` (values as they would be stored) that
    differ from ``current`` (the stored record, or a new unsaved one for a create): a form that
    sends a read-only field back unchanged is not refused."""
    changed = [
        name
        for name, value in cleaned.items()
        if (entity, name) in _GROUP_OF and getattr(current, name) != value
    ]
    require_fields(user, entity, changed)


# --- object rules (the "own" part of an action) --------------------------------------------------

PRE_CONFIRM = {"draft", "pending_review"}


def _may_cancel(user: Actor, order: Any) -> bool:
    """Any order in scope with ``orders.cancel_any``; otherwise one's own, before confirmation."""
    if can(user, "orders.cancel_any"):
        return True
    return order.status in PRE_CONFIRM and order.sales_owner_id == user.id


def _may_edit(user: Actor, order: Any) -> bool:
    if can(user, "orders.edit_others"):
        return True
    # managers approve and steer; they edit only the orders they own themselves
    return bool(order.sales_owner_id == user.id)


# action -> rule(user, obj): may this user act on this object (asked after the role check)
ObjectRule = Callable[[Actor, Any], bool]

OBJECT_RULES: dict[str, ObjectRule] = {
    "orders.cancel": _may_cancel,
    "orders.edit": _may_edit,
}

# --- scopes ---------------------------------------------------------------------------------------

# What a role sees of orders and customers. A user's scopes are those of their roles (union).
SCOPES = (
    "all_regions",
    "own_regions",
    "own_records",
    "production_stages",
    "qc_stages",
    "own_lines",
    "none",
)
DEFAULT_SCOPES: dict[str, str] = {
    R.ADMIN: "all_regions",
    R.MANAGER: "all_regions",
    R.PLANNER: "all_regions",
    R.WAREHOUSE: "all_regions",
    R.FINANCE: "all_regions",
    R.PURCHASING: "all_regions",
    R.SALES: "own_regions",
    R.QC: "qc_stages",
    R.SUPERVISOR: "production_stages",
    R.OPERATOR: "own_lines",
}
STAGE_SCOPES = {
    "qc_stages": {"in_production", "awaiting_qc", "shipped", "completed"},
    "production_stages": {"confirmed", "scheduling", "in_production", "awaiting_qc"},
}


def scope_of_role(stored: dict[str, role_tables.StoredRole], role: str) -> str:
    row = stored.get(role)
    return (row.scope if row is not None else "") or DEFAULT_SCOPES.get(role, "none")


def scopes_of(user: AnyUser) -> set[str]:
    roles = roles_of(user)
    if not roles:
        return set()
    stored = _stored(user)
    return {scope_of_role(stored, role) for role in roles}


def order_scope_q(user: AnyUser, prefix: str = "") -> Q | None:
    """A filter for the orders the user may see; ``None`` means all of them."""
    scopes = scopes_of(user)
    if "all_regions" in scopes:
        return None
    q = Q(pk__in=[])
    if "own_regions" in scopes:
        q |= Q(**{f"{prefix}customer__region_id__in": sorted(region_ids_of(user))})
    if "own_records" in scopes:
        q |= Q(**{f"{prefix}sales_owner_id": cast(Actor, user).pk})
    for scope, stages in STAGE_SCOPES.items():
        if scope in scopes:
            q |= Q(**{f"{prefix}status__in": sorted(stages)})
    return q


def order_in_scope(user: AnyUser, order: Any, *, region_id: int | None) -> bool:
    """``order_scope_q`` for one order already read (a row locked by id): the same rules, asked
    of the order's status and sales owner and its customer's region. The two are kept equal by
    tests/accounts/test_scope_forms.py."""
    scopes = scopes_of(user)
    if "all_regions" in scopes:
        return True
    if "own_regions" in scopes and region_id is not None and region_id in region_ids_of(user):
        return True
    if "own_records" in scopes and order.sales_owner_id == cast(Actor, user).pk:
        return True
    return any(order.status in stages for s, stages in STAGE_SCOPES.items() if s in scopes)


def scope_orders(user: AnyUser, qs: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    q = order_scope_q(user, prefix)
    return qs if q is None else qs.filter(q)


def scope_order_linked(user: AnyUser, qs: QuerySet[Any], prefix: str = "order__") -> QuerySet[Any]:
    """Rows that may hang off an order (stock movements, follow-ups, messages …): those of orders
    in the user's scope, and those tied to no order. Every list of such rows goes through here."""
    q = order_scope_q(user, prefix)
    if q is None:
        return qs
    return qs.filter(Q(**{f"{prefix}isnull": True}) | q)


def customer_scope_q(user: AnyUser, prefix: str = "") -> Q | None:
    scopes = scopes_of(user)
    # the production and QC stages see the orders' customers by name, with no region limit
    if scopes & {"all_regions", *STAGE_SCOPES}:
        return None
    if scopes & {"own_regions", "own_records"}:
        return Q(**{f"{prefix}region_id__in": sorted(region_ids_of(user))})
    return Q(pk__in=[])


def scope_customers(user: AnyUser, qs: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    q = customer_scope_q(user, prefix)
    return qs if q is None else qs.filter(q)


def region_allowed(user: AnyUser, region_id: int | None) -> bool:
    """May the user put a customer (or an order) in this region?"""
    if "all_regions" in scopes_of(user):
        return True
    return region_id in region_ids_of(user)


def get_in_scope(qs: QuerySet[Any], **lookup: Any) -> Any:
    """Fetch one object from an already scoped queryset, or ``NotFound``."""
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# --- production object rules (operators touch only their own tasks) -------------------------------


def _may_work_task(user: Actor, task: Any) -> bool:
    """With ``production.work_any`` (supervisors, admins) any task; otherwise only a task the user
    owns, or an unowned task on a line they are a member of (starting it makes it theirs)."""
    if can(user, "production.work_any"):
        return True
    if task.owner_id is not None:
        return bool(task.owner_id == user.id)
    return user.work_centers.filter(pk=task.work_center_id).exists()


def task_scope_q(user: AnyUser, prefix: str = "") -> Q | None:
    """Tasks the user may see: ``None`` = all (``production.all_tasks``); with only
    ``production.view`` (operators) the tasks they own and those of the lines they are a member of."""
    if can(user, "production.all_tasks"):
        return None
    if can(user, "production.view"):
        operator = cast(Actor, user)  # holds a role, so signed in
        return Q(**{f"{prefix}owner_id": operator.id}) | Q(
            **{f"{prefix}work_center_id__in": operator.work_centers.values("pk")}
        )
    return Q(pk__in=[])


OBJECT_RULES.update({"production.work": _may_work_task})

# --- quality object rules --------------------------------------------------------------------------

# --- rules / follow-up object rules ----------------------------------------------------------------


def _followup_is_mine(user: Actor, task: Any) -> bool:
    """A follow-up task is the assignee's, their role's, its creator's — and, with
    ``followups.view_all``, everybody's (managers, admins)."""
    return (
        task.assignee_id == user.id
        or bool(task.assignee_role and task.assignee_role in roles_of(user))
        or (task.created_by_id is not None and task.created_by_id == user.id)
        or can(user, "followups.view_all")
    )


OBJECT_RULES.update({"followups.view": _followup_is_mine})

# --- notifications object rules --------------------------------------------------------------------

# --- imports / exports object rules ----------------------------------------------------------------

# --- dashboard object rules ------------------------------------------------------------------------

# --- approvals object rules ------------------------------------------------------------------------
# "approvals.decide": whether the request waits for this user is the approvals app's to say; it
# registers the rule (``object_rule``) from its ``registrations`` module.

# --- channels object rules -------------------------------------------------------------------------


def scope_channel_orders(user: AnyUser, qs: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    """Channel orders (and what hangs off them) by the region of their account, as the user's
    scopes say: ``all_regions`` every region (administrators, managers, planners), ``own_regions``
    and ``own_records`` the regions the user holds (sales), any other scope none."""
    scopes = scopes_of(user)
    if "all_regions" in scopes:
        return qs
    if scopes & {"own_regions", "own_records"}:
        return qs.filter(**{f"{prefix}account__default_region_id__in": sorted(region_ids_of(user))})
    return qs.none()


# --- finance / after-sales object rules ------------------------------------------------------------


# Make every action visible to Django's permission API (user.has_perm, {{ perms }}) as well.
def _predicate_for(action: str) -> Any:
    def check(user: AnyUser, obj: Any = None) -> bool:
        return can(user, action, obj)

    return rules.predicate(check, name=action)  # type: ignore[no-untyped-call]  # rules is untyped


for _action in ACTION_ROLES:
    rules.add_perm(_action, _predicate_for(_action))  # type: ignore[no-untyped-call]  # untyped


def object_rule(action: str, rule: ObjectRule) -> None:
    """Let the app that owns ``action``'s objects say whether a user may act on one:
    ``rule(user, obj) -> bool`` is asked after the role check (see ``can``)."""
    if action not in ACTION_ROLES:
        raise ValueError(f"unknown action {action!r}")
    OBJECT_RULES[action] = rule
