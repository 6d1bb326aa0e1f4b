"""Sales regions as master data: rename, deactivate, reactivate and export (creation is
``services.region_create``). A region is never deleted: customers, members and orders point at it;
a deactivated one keeps them and is marked inactive in the list and the API."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from zhongshu.core import xlsx
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound
from zhongshu.core.validation import Errors, clean_text

from . import permissions
from .models import Region

NAME_MAX = 50


def clean_region_name(errors: Errors, value: Any, *, field: str = "name") -> str:
    """The rule every way in shares (form, API, import): required, at most 50 characters."""
    return clean_text(errors, field, value, max_length=NAME_MAX, required=True)


def region_rows(*, actor: Actor, active: bool | None = None) -> QuerySet[Region]:
    """Regions with how many members hold each, for the list page and the export."""
    permissions.require(actor, "regions.view")
    qs = Region.objects.annotate(member_count=Count("members"))
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("name")


def region_get(*, actor: Actor, region_id: int) -> Region:
    permissions.require(actor, "regions.view")
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise NotFound(_("Region not found."))
    return region


@transaction.atomic
def region_rename(*, actor: Actor, region_id: int, name: str) -> Region:
    permissions.require(actor, "regions.manage")
    region = region_get(actor=actor, region_id=region_id)
    errors = Errors()
    name = clean_region_name(errors, name)
    if name and Region.objects.filter(name=name).exclude(pk=region.pk).exists():
        errors.add("name", _("Region %(name)s already exists.") % {"name": name})
    errors.raise_if_any()
    if region.name != name:
        region.name = name
        region.save(update_fields=["name"])
    return region


@transaction.atomic
def region_set_active(*, actor: Actor, region_id: int, active: bool) -> Region:
    permissions.require(actor, "regions.manage")
    region = region_get(actor=actor, region_id=region_id)
    if region.active != active:
        region.active = active
        region.save(update_fields=["active"])
    return region


def region_export(*, actor: Actor, active: bool | None = None) -> xlsx.ListExport:
    permissions.require(actor, "regions.export")
    columns = [
        xlsx.Column(_("Name"), lambda r: r.name, width=16),
        xlsx.Column(_("Members"), lambda r: r.member_count, xlsx.INT, 10),
        xlsx.Column(_("Active"), lambda r: r.active, width=8),
    ]
    return xlsx.ListExport(
        kind="regions",
        title=_("Regions"),
        columns=columns,
        rows=region_rows(actor=actor, active=active).iterator(chunk_size=xlsx.CHUNK_SIZE),
        filters={"active": active},
    )


def inactive_regions_error(regions: Iterable[Region], held: Sequence[int] = ()) -> str:
    """A deactivated region takes no new members (one already held may stay)."""
    closed = [r.name for r in regions if not r.active and r.pk not in held]
    if not closed:
        return ""
    return _("Region %(names)s is deactivated and takes no new members.") % {
        "names": ", ".join(closed)
    }
