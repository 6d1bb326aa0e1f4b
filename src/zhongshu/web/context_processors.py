from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role
from zhongshu.core.navigation import nav_entries


def _can(user, action: str) -> bool:
    # Actions other parts of the product register later may not exist in every installation.
    return action in permissions.ACTION_ROLES and permissions.can(user, action)


followup_list: Callable[..., QuerySet] | None
try:  # follow-up tasks arrive with the rules app; without it there is no such badge
    from zhongshu.rules.selectors import followup_list
except ImportError:
    followup_list = None


def count_together(querysets: dict[str, QuerySet]) -> dict[str, int]:
    """Several counts in one round trip: ``SELECT (SELECT COUNT(*) FROM (…)), …``."""
    if not querysets:
        return {}
    parts: list[str] = []
    params: list[Any] = []
    for i, qs in enumerate(querysets.values()):
        sql, p = qs.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS c{i})")
        params.extend(p)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {key: int(n or 0) for key, n in zip(querysets, row, strict=True)}


def _badges(user) -> dict:
    """The header counters (unread messages, open follow-ups, approvals waiting), one query —
    none for a count the page already made (the dashboard's "awaiting my approval")."""
    from zhongshu.approvals import selectors as approvals
    from zhongshu.notify.selectors import inbox

    wanted: dict[str, QuerySet] = {}
    if _can(user, "notifications.inbox"):
        wanted["inbox"] = inbox(user, unread=True)
    if followup_list is not None and _can(user, "followups.view"):
        wanted["followups"] = followup_list(actor=user)
    known = approvals.waiting_count_known(user)
    if known is None and _can(user, "approvals.decide"):
        wanted["approvals"] = approvals.waiting_queryset(user)
    badges = {"inbox": 0, "approvals": known or 0}
    if followup_list is not None:
        badges["followups"] = 0
    badges.update(count_together(wanted))
    if "approvals" in wanted:
        approvals.remember_waiting_count(user, badges["approvals"])
    return badges


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = sorted(permissions.roles_of(user))
    return {
        "my_roles": roles,
        "my_role_labels": [Role(r).label for r in roles if r in Role.values],
        # the entries each app declares in its ``registrations`` module
        "nav": {e.key: any(_can(user, a) for a in e.actions) for e in nav_entries()},
        # small counters in the header (unread messages, open follow-ups, approvals waiting)
        "badges": _badges(user),
    }
