"""Customer master data."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from zhongshu.accounts import permissions
from zhongshu.accounts.models import Region
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound
from zhongshu.core.services import model_update
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_code, clean_text
from zhongshu.customfields import selectors as cf_selectors
from zhongshu.customfields import values as cf_values

from .models import Customer

# no tier: it is computed by the customer segmentation (analytics), never typed in
EDITABLE = ["name", "region", "contact", "phone", "address", "is_active", "custom"]
TIER_COMPUTED = _lazy(
    "The tier is computed from the order history by the customer segmentation; it cannot be typed in."
)


def clean_customer(
    actor: Actor,
    data: dict[str, Any],
    *,
    creating: bool,
    errors: Errors,
    existing: dict | None = None,
) -> dict[str, Any]:
    """The customer fields in ``data`` as they are stored, every problem added to ``errors`` (the
    fields left out are not checked unless ``creating``). Also what an import checks its rows by."""
    out: dict[str, Any] = {}
    if creating or "name" in data:
        out["name"] = clean_text(errors, "name", data.get("name"), max_length=120, required=True)
    if creating or "region" in data:
        name = normalize_text(data.get("region"))
        region = Region.objects.filter(name=name).first() if name else None
        if region is None:
            errors.add("region", _("Unknown region: %(name)s") % {"name": name or "-"})
        elif not permissions.region_allowed(actor, region.id):
            errors.add(
                "region", _("You cannot assign customers to region %(name)s.") % {"name": name}
            )
        else:
            out["region"] = region
    if data.get("tier") not in (None, ""):
        errors.add("tier", str(TIER_COMPUTED))
    for field, length in (("contact", 60), ("phone", 30), ("address", 200)):
        if field in data and data[field] is not None:
            out[field] = clean_text(errors, field, data[field], max_length=length)
    if "is_active" in data and data["is_active"] is not None:
        out["is_active"] = bool(data["is_active"])
    if creating or data.get("custom") is not None:
        # a new customer gets its fields' defaults and is checked for required ones even when
        # no custom value is sent; values the actor may not edit raise ForbiddenField
        out["custom"] = cf_values.clean_custom(
            actor=actor,
            definitions=cf_selectors.definitions("customer", actor=actor),
            raw=data.get("custom"),
            existing=existing,
            errors=errors,
            creating=creating,
        )
    return out


@transaction.atomic
def customer_create(*, actor: Actor, code: str, **data: Any) -> Customer:
    permissions.require(actor, "customers.manage")
    errors = Errors()
    code = clean_code(errors, "code", code, max_length=32)
    if code and Customer.objects.filter(code=code).exists():
        errors.add("code", _("Customer code %(code)s already exists.") % {"code": code})
    cleaned = clean_customer(actor, data, creating=True, errors=errors)
    errors.raise_if_any()
    permissions.require_changed_fields(actor, "customer", cleaned, Customer())
    created = Customer(code=code, **cleaned)
    created._history_user = actor  # type: ignore[attr-defined]  # the history row names who created it, request or not
    created.save(force_insert=True)
    return created


@transaction.atomic
def customer_update(*, actor: Actor, customer: Customer, data: dict[str, Any]) -> Customer:
    permissions.require(actor, "customers.manage")
    locked = Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if locked is None or not permissions.region_allowed(actor, locked.region_id):
        raise NotFound()
    errors = Errors()
    cleaned = clean_customer(actor, data, creating=False, errors=errors, existing=locked.custom)
    errors.raise_if_any()
    # contact details: only with the contact group's edit right (403 forbidden_field)
    permissions.require_changed_fields(actor, "customer", cleaned, locked)
    model_update(instance=locked, fields=EDITABLE, data=cleaned, actor=actor)
    return locked
