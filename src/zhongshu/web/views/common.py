from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role

OPERATOR_HOME = "/production/my/"


def _exists(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def home(request):
    """Where "/" leads: the dashboard for everyone who may see it, operators to their own task
    list on the shop floor (their account page until production offers one); anyone else
    (no role at all) to their account page."""
    user = request.user
    if not user.is_authenticated:
        return redirect("web:login")
    if permissions.can(user, "dashboard.view"):
        return redirect("analytics:dashboard")
    if permissions.has_role(user, Role.OPERATOR):
        return redirect(OPERATOR_HOME if _exists(OPERATOR_HOME) else reverse("accounts:account"))
    return redirect("accounts:account")
