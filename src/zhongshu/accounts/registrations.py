"""What accounts adds to the shared registries: user administration in the main navigation;
users, their profiles and the regions in the audit trail; regions and users as steps of the
go-live checklist."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zhongshu.core.auditing import audited, code_of
from zhongshu.core.navigation import nav_entry
from zhongshu.core.setup_steps import setup_step

from .models import Profile, Region

User = get_user_model()

nav_entry("users", "users.manage")

audited(
    User,
    position=6,
    kind="user",
    kind_label=_("Users"),
    code_lookup="username",
    label=lambda h: h.username,
)
audited(
    Profile,
    position=7,
    kind="user",
    kind_label=_("Users"),
    code_lookup="username",
    label=lambda h: h.username or str(h.user_id),
    annotate={"username": code_of(User, "username", "user_id")},
)
audited(
    Region,
    position=8,
    kind="user",
    kind_label=_("Users"),
    code_lookup="name",
    label=lambda h: h.name,
)


def _users_without_contact() -> str:
    lacking = User.objects.filter(is_active=True).exclude(profile__wecom_userid__gt="").count()
    return _("%(n)d active users have no WeCom user id yet.") % {"n": lacking} if lacking else ""


setup_step(
    "regions",
    position=20,
    label=_("Sales regions"),
    count=lambda: Region.objects.filter(active=True).count(),
    url="accounts:region_list",
)
setup_step(
    "users",
    position=50,
    label=_("Users and roles, with their WeCom, DingTalk or Feishu ids"),
    count=lambda: User.objects.filter(is_active=True).count(),
    url="accounts:user_list",
    # the administrator alone is not a team
    done=lambda n: n > 1,
    detail=_users_without_contact,
)
