"""Every permission decision of Zhongshu lives here (SPEC §2).

Three kinds of decision:

* action permissions — ``can(user, "orders.create")`` / ``require(user, …)``; registered with
  ``rules`` so ``user.has_perm`` and templates see the same answer;
* object scope — ``scope_orders(user, qs)`` and friends narrow a queryset to what the user may see
  (region for sales, stage for QC and production); everything outside it is reported as 404;
* field permissions — ``forbidden_fields(user, "order", changed)`` names fields the user may not change.

Services call these first thing; selectors start from the scoped querysets; the API, web views,
exports and dashboards only ever go through services and selectors.
"""

from collections.abc import Callable, Iterable
from typing import Any, cast

import rules
from django.db.models import Q, QuerySet

from zhongshu.core.actors import Actor, AnyUser
from zhongshu.core.errors import ForbiddenField, NotFound, PermissionDenied

from . import role_tables
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
        rows = list(
            user.groups.annotate(policy=role_tables.token_subquery()).values_list("name", "policy")
        )
        cached = frozenset()
        if rows:
            token = rows[0][1]
            stored = role_tables.tables(token).roles
            cached = frozenset(n for n, _t in rows if not (n in stored and stored[n].retired))
            user._zs_policy = token  # type: ignore[attr-defined]  # the tables the roles were read with
        user._zs_roles = cached  # type: ignore[attr-defined]  # a cache on the request's user
    return cached


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

EVERYONE_BUT_OPERATOR = {r for r in Role} - {R.OPERATOR}

ACTION_ROLES: dict[str, set[Role]] = {
    # orders
    "orders.view": EVERYONE_BUT_OPERATOR,
    "orders.create": {R.SALES, R.ADMIN},
    "orders.edit": {R.SALES, R.ADMIN, R.PLANNER, R.WAREHOUSE, R.MANAGER},
    "orders.edit_others": {R.SALES, R.ADMIN, R.PLANNER, R.WAREHOUSE},
    "orders.edit_price": {R.SALES, R.ADMIN},
    # lines, quantities, priority and due dates belong to sales and planning (not the warehouse)
    "orders.edit_lines": {R.SALES, R.ADMIN, R.PLANNER, R.MANAGER},
    "orders.edit_schedule": {R.SALES, R.ADMIN, R.PLANNER, R.MANAGER},
    "orders.delete": {R.ADMIN},
    "orders.export": EVERYONE_BUT_OPERATOR,
    # transitions (SPEC §3); object conditions are in TRANSITION_OBJECT_RULES below
    "orders.submit": {R.SALES, R.ADMIN},
    "orders.reject": {R.PLANNER, R.MANAGER, R.ADMIN},
    "orders.confirm": {R.PLANNER, R.MANAGER, R.ADMIN},
    "orders.schedule": {R.PLANNER, R.ADMIN},
    "orders.start": {R.SUPERVISOR, R.OPERATOR, R.ADMIN},
    "orders.finish": {R.SUPERVISOR, R.ADMIN},
    "orders.qc_fail": {R.QC, R.ADMIN},
    "orders.ship": {R.WAREHOUSE, R.ADMIN},
    "orders.complete": {R.SALES, R.FINANCE, R.ADMIN},
    "orders.cancel": {R.SALES, R.PLANNER, R.MANAGER, R.ADMIN},
    # hand orders to another sales owner (the order list's bulk action)
    "orders.assign_owner": {R.MANAGER, R.ADMIN},
    # who may be made an order's sales owner
    "orders.own": {R.SALES, R.MANAGER, R.ADMIN},
    # master data
    "customers.view": EVERYONE_BUT_OPERATOR,
    "customers.manage": {R.SALES, R.ADMIN},
    "materials.view": set(Role),
    "materials.manage": {R.PLANNER, R.ADMIN},
    "regions.view": set(Role),
    "regions.manage": {R.ADMIN},
    "regions.export": {R.ADMIN, R.MANAGER},
    # the go-live checklist and the company printed on documents (SPEC §1)
    "setup.view": {R.ADMIN},
    "company.manage": {R.ADMIN},
    "users.manage": {R.ADMIN},
    "audit.view": {R.ADMIN, R.MANAGER},
    # inventory (SPEC §4)
    "inventory.view": {
        R.WAREHOUSE,
        R.PLANNER,
        R.MANAGER,
        R.ADMIN,
        R.PURCHASING,
        R.SALES,
        R.FINANCE,
        R.SUPERVISOR,
    },
    "inventory.receive": {R.WAREHOUSE, R.ADMIN},
    "inventory.adjust": {R.WAREHOUSE, R.ADMIN},
    "inventory.ship": {R.WAREHOUSE, R.ADMIN},
    # the ERP link (T+): stock is not regional, so these are region-neutral
    "inventory.reconciliation": {R.WAREHOUSE, R.MANAGER, R.FINANCE, R.ADMIN},
    "inventory.erp_retry": {R.WAREHOUSE, R.ADMIN},
    "inventory.erp_master": {R.WAREHOUSE, R.ADMIN},
    "inventory.erp_settings": {R.ADMIN},
    # warehouses as master data: seen by whoever sees stock, kept by the warehouse and admin
    "inventory.warehouses_view": {
        R.WAREHOUSE,
        R.PLANNER,
        R.MANAGER,
        R.ADMIN,
        R.PURCHASING,
        R.SALES,
        R.FINANCE,
        R.SUPERVISOR,
    },
    "inventory.warehouses_manage": {R.WAREHOUSE, R.ADMIN},
    "shipments.view": EVERYONE_BUT_OPERATOR,
    # production (SPEC §5): lines, calendars, routings, BOMs, task sheets, schedule, kanban
    "production.view": {R.PLANNER, R.SUPERVISOR, R.OPERATOR, R.MANAGER, R.ADMIN, R.QC},
    "production.manage": {R.PLANNER, R.ADMIN},
    "production.schedule": {R.PLANNER, R.ADMIN},
    "production.what_if": {R.PLANNER, R.MANAGER, R.ADMIN},
    "production.work": {R.OPERATOR, R.SUPERVISOR, R.ADMIN},
    "production.assign": {R.SUPERVISOR, R.PLANNER, R.ADMIN},
    "production.rework": {R.QC, R.SUPERVISOR, R.PLANNER, R.ADMIN},
    # quality control (SPEC §5)
    "qc.view": {R.QC, R.SUPERVISOR, R.PLANNER, R.MANAGER, R.WAREHOUSE, R.ADMIN},
    "qc.manage_plans": {R.QC, R.ADMIN},
    "qc.inspect": {R.QC, R.ADMIN},
    # rules and follow-up tasks (SPEC §6)
    "rules.view": {R.ADMIN, R.MANAGER, R.PLANNER},
    "rules.manage": {R.ADMIN, R.MANAGER},
    "followups.view": set(Role),
    "followups.manage": {R.ADMIN, R.MANAGER, R.PLANNER, R.SALES, R.PURCHASING},
    # notifications (SPEC §6)
    "notifications.inbox": set(Role),
    "notifications.deliveries": {R.ADMIN},
    "notifications.contacts": {R.ADMIN},
    "notifications.robots": {R.ADMIN},
    # import and export (SPEC §8)
    "imports.orders": {R.SALES, R.ADMIN},
    "imports.customers": {R.SALES, R.ADMIN},
    "imports.materials": {R.PLANNER, R.ADMIN},
    "imports.stock": {R.WAREHOUSE, R.ADMIN},
    "imports.users": {R.ADMIN},
    "imports.routings": {R.PLANNER, R.ADMIN},
    "imports.boms": {R.PLANNER, R.ADMIN},
    "imports.qc_plans": {R.QC, R.ADMIN},
    "imports.open_stock": {R.WAREHOUSE, R.ADMIN},
    "imports.receivables": {R.FINANCE, R.ADMIN},
    "finance.reconciliation": {R.FINANCE, R.SALES, R.MANAGER, R.ADMIN},
    # exports (SPEC §8 "any list view to xlsx"): whoever may see a list may export it, in their
    # own scope; shipments are exported with "orders.export" (they are the orders' documents)
    "customers.export": EVERYONE_BUT_OPERATOR,
    "materials.export": set(Role),
    "inventory.export": {
        R.WAREHOUSE,
        R.PLANNER,
        R.MANAGER,
        R.ADMIN,
        R.PURCHASING,
        R.SALES,
        R.FINANCE,
        R.SUPERVISOR,
    },
    "audit.export": {R.ADMIN, R.MANAGER},
    # dashboard (SPEC §9)
    "dashboard.view": EVERYONE_BUT_OPERATOR,
    # analytics (SPEC §9): segments are scoped like customers (sales: their regions only)
    "analytics.segments": {R.ADMIN, R.MANAGER, R.SALES},
    "analytics.effect": {R.ADMIN, R.MANAGER},
    "analytics.leaderboard": {R.ADMIN, R.MANAGER},
    "analytics.configure": {R.ADMIN, R.MANAGER},
    # approvals (SPEC §6): deciding is limited by the flow's steps (object rules below)
    "approvals.view": set(Role),
    "approvals.request": {R.SALES, R.PLANNER, R.MANAGER, R.ADMIN},
    "approvals.decide": {R.MANAGER, R.PLANNER, R.SUPERVISOR, R.FINANCE, R.ADMIN, R.SALES, R.QC},
    "approvals.configure": {R.ADMIN},
    # channels (SPEC §7)
    "channels.view": {R.ADMIN, R.MANAGER, R.SALES, R.PLANNER},
    "channels.manage": {R.ADMIN},
    "channels.map_sku": {R.ADMIN, R.SALES, R.PLANNER},
    # routing rules: which owner, queue and tags a converted channel order gets
    "channels.routing": {R.ADMIN, R.MANAGER},
    # receivables and payments (finance reads every region; sales only theirs)
    "finance.view": {R.FINANCE, R.MANAGER, R.ADMIN, R.SALES},
    "finance.payments": {R.FINANCE, R.ADMIN},
    "finance.adjust": {R.FINANCE, R.ADMIN},
    # after-sales cases
    "aftersales.view": EVERYONE_BUT_OPERATOR,
    "aftersales.manage": {R.SALES, R.QC, R.MANAGER, R.ADMIN},
    # material planning (SPEC §9): MRP runs, purchase suggestions, purchase orders
    "planning.view": {R.PURCHASING, R.PLANNER, R.MANAGER, R.ADMIN},
    "planning.export": {R.PURCHASING, R.PLANNER, R.MANAGER, R.ADMIN},
    "planning.run": {R.PURCHASING, R.PLANNER, R.ADMIN},
    "planning.decide": {R.PURCHASING, R.ADMIN},
    "planning.configure": {R.PURCHASING, R.PLANNER, R.ADMIN},
    # purchase orders: the warehouse sees them to receive the goods against them
    "planning.po_view": {R.PURCHASING, R.PLANNER, R.MANAGER, R.ADMIN, R.WAREHOUSE},
    "planning.receive": {R.WAREHOUSE, R.ADMIN},
    # suppliers and their prices (purchasing master data)
    "planning.suppliers_view": {R.PURCHASING, R.PLANNER, R.MANAGER, R.ADMIN},
    "planning.suppliers_edit": {R.PURCHASING, R.ADMIN},
    "planning.suppliers_export": {R.PURCHASING, R.PLANNER, R.MANAGER, R.ADMIN},
    # printed documents (zhongshu.documents): each also needs the view right of what it prints
    "documents.print_task_sheet": {R.PLANNER, R.SUPERVISOR, R.MANAGER, R.ADMIN},
    # capable-to-promise date on order entry
    "planning.promise": {R.SALES, R.PLANNER, R.MANAGER, R.ADMIN},
    # custom fields and saved list views (operations configure them without code)
    "customfields.manage": {R.ADMIN},
    "listviews.share": {R.ADMIN, R.MANAGER},
}

# Field groups (SPEC §2): fields that are seen and changed together. A role edits a group's fields
# when it holds the group's edit action, sees them read-only otherwise, and not at all when the role
# hides the group (stored roles only; a user sees a group when any of their roles does).
FIELD_GROUPS: dict[str, dict[str, set[str]]] = {
    # price terms: warehouse and planner may not edit them
    "price": {
        "order": {"discount_rate", "tax_rate", "payment_terms", "unit_price"},
        "order_line": {"unit_price"},
    },
    # the amounts computed from the prices: shown and hidden with them, never edited directly
    "amounts": {
        "order": {"subtotal", "tax_amount", "total_amount"},
        "order_line": {"amount"},
    },
    # when and how urgently: sales' and planning's
    "schedule": {"order": {"due_date", "priority"}},
    # who orders what: the customer, the lines, their materials and quantities
    "lines": {"order": {"customer", "lines"}, "order_line": {"material", "quantity", "fulfilment"}},
}
FIELD_EDIT_ACTIONS = {
    "price": "orders.edit_price",
    "amounts": "orders.edit_price",
    "schedule": "orders.edit_schedule",
    "lines": "orders.edit_lines",
}
# groups shown and hidden together (the amounts follow the prices)
FIELD_GROUP_FOLLOWS = {"amounts": "price"}
_GROUP_OF = {
    (entity, name): group
    for group, entities in FIELD_GROUPS.items()
    for entity, names in entities.items()
    for name in names
}
# kept for the callers that pick the price fields out of a change
PRICE_FIELDS = FIELD_GROUPS["price"]


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


def field_level(user: AnyUser, group: str) -> str:
    """``edit``, ``read`` or ``hidden``: how the user meets the fields of ``group``."""
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


def custom_field_visible(user: AnyUser, definition: Any) -> bool:
    """A custom field's own role list narrows who sees it (empty: whoever sees the record)."""
    roles = definition.view_roles
    return not roles or has_role(user, R.ADMIN, *roles)


def custom_field_editable(user: AnyUser, definition: Any) -> bool:
    roles = definition.edit_roles
    return custom_field_visible(user, definition) and (not roles or has_role(user, R.ADMIN, *roles))


def require_fields(user: AnyUser, entity: str, changed: Iterable[str]) -> None:
    bad = forbidden_fields(user, entity, changed)
    if bad:
        raise ForbiddenField(sorted(bad))


# --- object rules (the "own" part of an action) --------------------------------------------------

PRE_CONFIRM = {"draft", "pending_review"}


def _sales_may_cancel(user: Actor, order: Any) -> bool:
    if has_role(user, R.PLANNER, R.MANAGER, R.ADMIN):
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
    "orders.cancel": _sales_may_cancel,
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

PRODUCTION_ALL_TASKS = {R.SUPERVISOR, R.ADMIN}


def _may_work_task(user: Actor, task: Any) -> bool:
    """Supervisors and admins start/finish any task; an operator only a task they own, or an
    unowned task on a line they are a member of (starting it makes it theirs)."""
    if has_role(user, *PRODUCTION_ALL_TASKS):
        return True
    if task.owner_id is not None:
        return bool(task.owner_id == user.id)
    return user.work_centers.filter(pk=task.work_center_id).exists()


def task_scope_q(user: AnyUser, prefix: str = "") -> Q | None:
    """Tasks the user may see: ``None`` = all. Operators see the tasks they own and those of the
    lines they are a member of; everyone else with production.view sees all."""
    roles = roles_of(user)
    if roles & (set(ACTION_ROLES["production.view"]) - {R.OPERATOR}):
        return None
    if R.OPERATOR in roles:
        operator = cast(Actor, user)  # holds a role, so signed in
        return Q(**{f"{prefix}owner_id": operator.id}) | Q(
            **{f"{prefix}work_center_id__in": operator.work_centers.values("pk")}
        )
    return Q(pk__in=[])


OBJECT_RULES.update({"production.work": _may_work_task})

# --- quality object rules --------------------------------------------------------------------------

# --- rules / follow-up object rules ----------------------------------------------------------------


def _followup_is_mine(user: Actor, task: Any) -> bool:
    """A follow-up task is the assignee's, their role's, its creator's — and managers'."""
    return (
        task.assignee_id == user.id
        or bool(task.assignee_role and task.assignee_role in roles_of(user))
        or (task.created_by_id is not None and task.created_by_id == user.id)
        or has_role(user, R.ADMIN, R.MANAGER)
    )


OBJECT_RULES.update({"followups.view": _followup_is_mine})

# --- notifications object rules --------------------------------------------------------------------

# --- imports / exports object rules ----------------------------------------------------------------

# --- dashboard object rules ------------------------------------------------------------------------

# --- approvals object rules ------------------------------------------------------------------------
# "approvals.decide": whether the request waits for this user is the approvals app's to say; it
# registers the rule (``object_rule``) from its ``registrations`` module.

# --- channels object rules -------------------------------------------------------------------------

CHANNELS_ALL_REGIONS = {R.ADMIN, R.MANAGER, R.PLANNER}


def scope_channel_orders(user: AnyUser, qs: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    """Channel orders (and what hangs off them) by the region of their account: administrators,
    managers and planners see every region, sales the regions they are assigned to."""
    roles = roles_of(user)
    if roles & CHANNELS_ALL_REGIONS:
        return qs
    if R.SALES in roles:
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
