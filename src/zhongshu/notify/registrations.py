"""What notify adds to the shared registries: the delivery log in the main navigation, and its
steps of the go-live checklist — the robots and chat apps (not done while messages could not
carry absolute links), and who on the users step no chat app can reach."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhongshu.core.navigation import nav_entry
from zhongshu.core.setup_steps import setup_step, steps

from .models import ChatApp, Robot
from .selectors import public_base_url_missing, users_missing_contact_ids

nav_entry("deliveries", "notifications.deliveries")


def _robots_and_apps() -> int:
    return Robot.objects.filter(enabled=True).count() + ChatApp.objects.filter(enabled=True).count()


def _base_url_detail() -> str:
    if not public_base_url_missing():
        return ""
    return gettext(
        "Public base URL missing: set PUBLIC_BASE_URL to the address people open Zhongshu at, "
        "or the links in messages cannot be opened."
    )


def _unreached_detail() -> str:
    """How many active users no enabled chat app can reach (their messages go to the inbox)."""
    lacking = users_missing_contact_ids().count()
    if not lacking:
        return ""
    return gettext(
        "%(n)d active users have no id in any enabled chat app: their messages go to the inbox "
        "only."
    ) % {"n": lacking}


setup_step(
    "robots",
    position=140,
    label=_("Group robots and apps"),
    count=_robots_and_apps,
    url="notify:robots",
    done=lambda n: n > 0 and not public_base_url_missing(),
    detail=_base_url_detail,
)


def _users_step() -> None:
    """The users step is accounts' (which cannot read the chat apps): keep its count and link,
    and say who no enabled app reaches — WeCom, DingTalk and Feishu alike."""
    users = next((s for s in steps() if s.key == "users"), None)
    if users is None:
        return
    setup_step(
        "users",
        position=users.position,
        label=users.label,
        count=users.count,
        url=users.url,
        hint=users.hint,
        done=users.done,
        detail=_unreached_detail,
    )


_users_step()
