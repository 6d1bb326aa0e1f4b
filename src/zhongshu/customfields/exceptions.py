from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import Conflict


class FieldInUse(Conflict):
    """A change that would orphan stored values or break a rule that reads the field."""

    code = "custom_field_in_use"
    default_message = _("This field is in use; the change would lose or misread its values.")
