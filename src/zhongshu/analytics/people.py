"""Who is a person in the activity figures (SPEC §9: activity figures count people only).

Some accounts are not people: the channel bot that turns shop orders into orders, and the
accounts integrations sign in with (an API token and no password anyone can type). They act —
sometimes a lot — but a leaderboard they top, a daily-active ratio they dilute or a staff count
they inflate says nothing about the team. They are left out of the leaderboard, the daily-active
ratios and the staff counts. An admin can mark any other account as a system account by giving
it the group ``system``.

Imports run as the person who uploaded the file; the history import fires no order hook, so it
adds nothing to anyone's activity.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, OuterRef, Q, QuerySet

from zhongshu.accounts.models import ApiToken
from zhongshu.accounts.roles import Role
from zhongshu.channels.services import BOT_USERNAME

SYSTEM_GROUP = "system"
# who takes orders in: the order-desk staff of the effect report
ORDER_DESK_ROLES = (Role.SALES,)


def system_q(prefix: str = "") -> Q:
    """The system accounts, as a filter on users (``prefix``: the path to the user, e.g.
    ``"user__"``)."""
    p = prefix
    token_only = Q(**{f"{p}password__startswith": UNUSABLE_PASSWORD_PREFIX}) & Q(
        **{f"{p}pk__in": ApiToken.objects.values("user_id")}
    )
    return (
        Q(**{f"{p}username": BOT_USERNAME}) | Q(**{f"{p}groups__name": SYSTEM_GROUP}) | token_only
    )


def system_user_ids() -> set[int]:
    return set(get_user_model().objects.filter(system_q()).values_list("pk", flat=True))


def people() -> QuerySet:
    """The enabled accounts of people."""
    User = get_user_model()
    return User.objects.filter(is_active=True).exclude(
        Exists(User.objects.filter(system_q(), pk=OuterRef("pk")))
    )


def staff_count(roles=ORDER_DESK_ROLES) -> int:
    """Enabled people holding any of ``roles``: what a staff count is, never a typed number."""
    return people().filter(groups__name__in=list(roles)).distinct().count()
