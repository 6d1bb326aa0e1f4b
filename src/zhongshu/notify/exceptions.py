from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import ValidationFailed


class UnknownChannel(ValidationFailed):
    code = "unknown_channel"
    default_message = _("Unknown notification channel.")
