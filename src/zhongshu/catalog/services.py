"""Material master data."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound
from zhongshu.core.services import model_update
from zhongshu.core.validation import Errors, clean_choice, clean_code, clean_decimal, clean_text
from zhongshu.customfields import selectors as cf_selectors
from zhongshu.customfields import values as cf_values

from .models import Fulfilment, Material, MaterialKind

EDITABLE = [
    "name",
    "spec",
    "unit",
    "kind",
    "fulfilment",
    "standard_price",
    "safety_stock",
    "lead_time_days",
    "is_active",
    "custom",
]


def clean_material(
    actor: Actor,
    data: dict[str, Any],
    *,
    creating: bool,
    errors: Errors,
    existing: dict | None = None,
) -> dict[str, Any]:
    """The material fields in ``data`` as they are stored, every problem added to ``errors`` (the
    fields left out are not checked unless ``creating``). Also what an import checks its rows by."""
    out: dict[str, Any] = {}
    if creating or "name" in data:
        out["name"] = clean_text(errors, "name", data.get("name"), max_length=120, required=True)
    if data.get("spec") is not None:
        out["spec"] = clean_text(errors, "spec", data["spec"], max_length=200)
    if creating or data.get("unit") is not None:
        out["unit"] = clean_text(errors, "unit", data.get("unit") or "件", max_length=12)
    if creating or data.get("kind") is not None:
        out["kind"] = clean_choice(errors, "kind", data.get("kind") or "finished", MaterialKind)
    if creating or data.get("fulfilment") is not None:
        out["fulfilment"] = clean_choice(
            errors, "fulfilment", data.get("fulfilment") or "stock", Fulfilment
        )
    for field, places in (("standard_price", 2), ("safety_stock", 3)):
        if data.get(field) is not None:
            out[field] = clean_decimal(
                errors, field, data[field], places=places, min_value=Decimal("0")
            )
    if data.get("lead_time_days") is not None:
        value = data["lead_time_days"]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3650:
            errors.add("lead_time_days", _("Enter whole days between 0 and 3650."))
        else:
            out["lead_time_days"] = value
    if data.get("is_active") is not None:
        out["is_active"] = bool(data["is_active"])
    if creating or data.get("custom") is not None:
        # a new material gets its fields' defaults and is checked for required ones even when
        # no custom value is sent; values the actor may not edit raise ForbiddenField
        out["custom"] = cf_values.clean_custom(
            actor=actor,
            definitions=cf_selectors.definitions("material", actor=actor),
            raw=data.get("custom"),
            existing=existing,
            errors=errors,
            creating=creating,
        )
    return out


@transaction.atomic
def material_create(*, actor: Actor, code: str, **data: Any) -> Material:
    permissions.require(actor, "materials.manage")
    errors = Errors()
    code = clean_code(errors, "code", code, max_length=40)
    if code and Material.objects.filter(code=code).exists():
        errors.add("code", _("Material code %(code)s already exists.") % {"code": code})
    cleaned = clean_material(actor, data, creating=True, errors=errors)
    errors.raise_if_any()
    permissions.require_changed_fields(actor, "material", cleaned, Material())
    created = Material(code=code, **cleaned)
    created._history_user = actor  # type: ignore[attr-defined]  # the history row names who created it, request or not
    created.save(force_insert=True)
    return created


@transaction.atomic
def material_update(*, actor: Actor, material: Material, data: dict[str, Any]) -> Material:
    permissions.require(actor, "materials.manage")
    locked = Material.objects.select_for_update().filter(pk=material.pk).first()
    if locked is None:
        raise NotFound()
    errors = Errors()
    cleaned = clean_material(actor, data, creating=False, errors=errors, existing=locked.custom)
    errors.raise_if_any()
    # the standard price: only with the cost group's edit right (403 forbidden_field)
    permissions.require_changed_fields(actor, "material", cleaned, locked)
    model_update(instance=locked, fields=EDITABLE, data=cleaned, actor=actor)
    return locked
