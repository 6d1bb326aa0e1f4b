"""Rules reads: rules for the editor, follow-up tasks of a person, the order panel's data."""

from django.db.models import Count, F, Q, QuerySet

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.orders.models import Order

from .models import CustomerList, CustomerListMember, FollowUp, OrderTag, Rule, RuleHit


def rule_list(*, actor: Actor) -> QuerySet:
    permissions.require(actor, "rules.view")
    return Rule.objects.select_related("created_by").order_by("name", "id")


def rule_get(*, actor: Actor, rule_id) -> Rule:
    return permissions.get_in_scope(rule_list(actor=actor), pk=rule_id)


def rule_history(*, actor: Actor, rule: Rule, limit: int = 20) -> list:
    permissions.require(actor, "rules.view")
    return list(rule.history.select_related("history_user").order_by("-history_id")[:limit])


def _mine_q(user) -> Q:
    return Q(assignee=user) | Q(assignee_role__in=sorted(permissions.roles_of(user)))


def followup_list(*, actor: Actor, done: bool = False) -> QuerySet:
    """Tasks assigned to the user or to one of the user's roles; open ones by default."""
    permissions.require(actor, "followups.view")
    qs = _in_scope(actor, FollowUp.objects.filter(_mine_q(actor), done_at__isnull=not done))
    return qs.select_related("order", "customer", "assignee", "done_by", "rule").order_by(
        "due_date", "id"
    )


def open_followup_count(user) -> int:
    """The header badge: open tasks for the user or their roles (0 for anonymous users)."""
    if user is None or not user.is_authenticated or not permissions.can(user, "followups.view"):
        return 0
    return _in_scope(user, FollowUp.objects.filter(_mine_q(user), done_at__isnull=True)).count()


def _in_scope(user, qs: QuerySet) -> QuerySet:
    """A task assigned to a role reaches every holder of the role: only those of whom the order
    and the customer are in the user's scope see it."""
    qs = permissions.scope_order_linked(user, qs)
    q = permissions.customer_scope_q(user, "customer__")
    return qs if q is None else qs.filter(Q(customer__isnull=True) | q)


def order_panel_data(*, actor: Actor, order: Order) -> dict | None:
    """Tags, open follow-ups and the last rule hits of an order the user can see (3 queries)."""
    if not permissions.can(actor, "orders.view"):
        return None
    tags = list(OrderTag.objects.filter(order=order).order_by("kind", "tag"))
    followups = list(
        FollowUp.objects.filter(order=order, done_at__isnull=True)
        .select_related("assignee")
        .order_by("due_date", "id")[:20]
    )
    hits = list(RuleHit.objects.filter(order=order).select_related("rule").order_by("-id")[:10])
    return {"tags": tags, "followups": followups, "hits": hits}


def customer_lists(*, actor: Actor) -> QuerySet:
    """Customer lists rules fill, with their member counts (in the user's customer scope)."""
    permissions.require(actor, "rules.view")
    q = permissions.customer_scope_q(actor, "members__customer__")
    return CustomerList.objects.annotate(
        customers=Count("members", filter=q) if q is not None else Count("members")
    ).order_by("name")


def customer_list_get(*, actor: Actor, list_id) -> CustomerList:
    permissions.require(actor, "rules.view")
    return permissions.get_in_scope(CustomerList.objects.all(), pk=list_id)


def list_members(*, actor: Actor, target: CustomerList) -> QuerySet:
    permissions.require(actor, "rules.view")
    qs = permissions.scope_customers(
        actor, CustomerListMember.objects.filter(customer_list=target), prefix="customer__"
    )
    return qs.select_related("customer", "customer__region").order_by("-added_at", "-id")


def queue_counts(*, actor: Actor) -> list[dict]:
    """The open orders of each queue the actor can see, in one grouped query:
    ``[{"queue": "大客户", "n": 12}, …]`` by queue name."""
    from zhongshu.orders.statuses import OPEN

    permissions.require(actor, "orders.view")
    orders = permissions.scope_orders(actor, Order.objects.filter(status__in=sorted(OPEN)))
    rows = (
        OrderTag.objects.filter(kind=OrderTag.Kind.QUEUE, order__in=orders.values("pk"))
        .values("tag")
        .annotate(n=Count("id"))
        .order_by("tag")
        .values("n", queue=F("tag"))
    )
    return [dict(row) for row in rows]
