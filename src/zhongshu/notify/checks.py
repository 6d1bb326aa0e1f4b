"""Startup check: messages need absolute links once a robot or chat app is configured."""

from django.core.checks import Warning, register
from django.db import DatabaseError
from django.utils.translation import gettext as _

ID = "zhongshu.notify.W001"


@register()
def public_base_url(app_configs=None, **kwargs):
    # read at every start (not only with --database): a factory that configured a robot and no
    # address must hear about it from the server's first lines
    from .selectors import public_base_url_missing

    try:
        missing = public_base_url_missing()
    except DatabaseError:  # tables not migrated yet: nothing configured either
        return []
    if not missing:
        return []
    return [
        Warning(
            _("PUBLIC_BASE_URL is not set, but a robot or chat app is configured."),
            hint=_(
                "Set PUBLIC_BASE_URL to the address people open Zhongshu at, e.g. "
                "https://zhongshu.example.com: links in messages must be absolute."
            ),
            id=ID,
        )
    ]
