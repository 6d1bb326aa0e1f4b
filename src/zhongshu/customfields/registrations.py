"""Custom field settings in the main navigation."""

from zhongshu.accounts import permissions
from zhongshu.core.navigation import nav_entry

nav_entry("customfields", "customfields.manage")


def _own_groups() -> list[tuple[str, str, str]]:
    """Each active custom field with a group of its own, as a field group roles set a level for."""
    from django.utils.translation import gettext as _

    from .models import FieldDefinition

    fields = FieldDefinition.objects.filter(archived_at__isnull=True, field_group="")
    return [
        (
            d.group,
            _("Custom field: %(label)s") % {"label": d.label},
            _("%(record)s: the custom field %(label)s.")
            % {"record": d.get_entity_display(), "label": d.label},
        )
        for d in fields.order_by("entity", "position", "id")
    ]


permissions.field_group_source(_own_groups)
