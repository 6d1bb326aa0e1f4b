from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role
from zhongshu.core.landing import landing_for
from zhongshu.setup.checklist import is_complete

OPERATOR_HOME = "/production/my/"


def _exists(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def home(request):
    """Where "/" leads: an administrator to the go-live checklist until every step is done; then
    everyone to the page their role lands on (``core.landing``, declared by the apps); without
    one, the dashboard for whoever may see it, operators to their own task list, anyone else
    (no role at all) to their account page."""
    user = request.user
    if not user.is_authenticated:
        return redirect("web:login")
    if permissions.can(user, "setup.view") and not is_complete():
        return redirect("setup:checklist")
    target = landing_for(permissions.roles_of(user))
    if target:
        return redirect(target)
    if permissions.can(user, "dashboard.view"):
        return redirect("analytics:dashboard")
    if permissions.has_role(user, Role.OPERATOR):
        return redirect(OPERATOR_HOME if _exists(OPERATOR_HOME) else reverse("accounts:account"))
    return redirect("accounts:account")
