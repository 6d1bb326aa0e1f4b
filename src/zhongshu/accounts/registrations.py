"""What accounts adds to the shared registries: user administration in the main navigation;
users, their profiles and the regions in the audit trail."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zhongshu.core.auditing import audited, code_of
from zhongshu.core.navigation import nav_entry

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
