from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role


def _can(user, action: str) -> bool:
    # Actions other parts of the product register later may not exist in every installation.
    return action in permissions.ACTION_ROLES and permissions.can(user, action)


try:  # follow-up tasks arrive with the rules app; without it there is no such badge
    from zhongshu.rules.selectors import open_followup_count
except ImportError:
    open_followup_count = None


def _badges(user) -> dict:
    from zhongshu.notify.selectors import unread_count

    badges = {"inbox": unread_count(user)}
    if open_followup_count is not None:
        badges["followups"] = open_followup_count(user)
    return badges


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = sorted(permissions.roles_of(user))
    return {
        "my_roles": roles,
        "my_role_labels": [Role(r).label for r in roles if r in Role.values],
        "nav": {
            "orders": _can(user, "orders.view"),
            "customers": _can(user, "customers.view"),
            "materials": _can(user, "materials.view"),
            "inventory": _can(user, "inventory.view"),
            "audit": _can(user, "audit.view"),
            "users": _can(user, "users.manage"),
            "dashboard": _can(user, "dashboard.view"),
            "production": _can(user, "production.view"),
            "qc": _can(user, "qc.view"),
            "rules": _can(user, "rules.view"),
            "imports": any(
                _can(user, f"imports.{kind}")
                for kind in ("orders", "customers", "materials", "stock")
            ),
            "finance": _can(user, "finance.reconciliation"),
            "deliveries": _can(user, "notifications.deliveries"),
            "approvals": _can(user, "approvals.view"),
            "channels": _can(user, "channels.view"),
            "aftersales": _can(user, "aftersales.view"),
        },
        # small counters in the header (unread messages, open follow-ups, approvals waiting)
        "badges": _badges(user),
    }
