from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import PermissionDenied


class NotYourView(PermissionDenied):
    code = "not_your_view"
    default_message = _("Only its owner can change a personal view; shared views need the right.")
