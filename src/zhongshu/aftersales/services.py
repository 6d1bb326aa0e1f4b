"""After-sales writes: open a case, work it (owner, status, resolution, cost). Never deleted."""

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor, recorded
from zhongshu.core.errors import StaleVersion, ValidationFailed
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_decimal, clean_text
from zhongshu.inventory.models import Shipment
from zhongshu.orders.models import Order

from .models import NEXT_STATUS, Case, CaseStatus, Category, Severity, Source

MAX_COST = Decimal("999999999.99")
EDITABLE = ("category", "severity", "description", "owner", "status", "resolution", "cost")


def _description(errors: Errors, value) -> str:
    return clean_text(errors, "description", value, max_length=2000, required=True)


@transaction.atomic
def case_create(
    *,
    actor: Actor | None,
    order_id: Any,
    category: str,
    severity: str,
    description: str,
    shipment_id: Any = None,
    material_code: str | None = None,
    source: str = "manual",
) -> Case:
    """Open a case on an order in the actor's scope. ``actor=None`` is the system (a sales
    channel reporting a refund after shipping): no permission or scope applies then."""
    if actor is not None:
        permissions.require(actor, "aftersales.manage")
        orders = permissions.scope_orders(actor, Order.objects.all())
    else:
        orders = Order.objects.all()
    order = permissions.get_in_scope(orders, pk=order_id)
    errors = Errors()
    clean_category = clean_choice(errors, "category", category, Category)
    clean_severity = clean_choice(errors, "severity", severity, Severity)
    description = _description(errors, description)
    clean_source = clean_choice(errors, "source", source, Source)
    shipment = None
    if shipment_id not in (None, ""):
        shipment = Shipment.objects.filter(order=order, pk=_int(shipment_id)).first()
        if shipment is None:
            errors.add("shipment_id", _("This shipment does not belong to the order."))
    material = None
    code = normalize_text(material_code or "").upper()
    if code:
        line = order.lines.select_related("material").filter(material__code=code).first()
        if line is None:
            errors.add("material_code", _("This material is not on the order."))
        else:
            material = line.material
    errors.raise_if_any()
    # an unknown category, severity or source was refused above
    assert clean_category is not None and clean_severity is not None and clean_source is not None
    return Case.objects.create(
        order=order,
        shipment=shipment,
        material=material,
        category=clean_category,
        severity=clean_severity,
        description=description,
        source=clean_source,
        created_by=recorded(actor),
    )


def _int(value) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return -1


def _owner(errors: Errors, value):
    name = normalize_text(value or "")
    if not name:
        return None
    user = get_user_model().objects.filter(username=name, is_active=True).first()
    if user is None:
        errors.add("owner", _("No active user with this name."))
    return user


@transaction.atomic
def case_update(*, actor: Actor, case_id: Any, data: dict, version: int | None = None) -> Case:
    """Change some of ``category, severity, description, owner (username), status, resolution,
    cost``. Resolving or closing needs a resolution; closed cases are final."""
    permissions.require(actor, "aftersales.manage")
    qs = permissions.scope_orders(actor, Case.objects.select_for_update(of=("self",)), "order__")
    case = permissions.get_in_scope(qs, pk=case_id)
    if version is not None and version != case.version:
        raise StaleVersion(details={"version": case.version})
    unknown = set(data) - set(EDITABLE)
    errors = Errors()
    for name in sorted(unknown):
        errors.add(name, _("This field cannot be changed."))
    if case.status == CaseStatus.CLOSED and data:
        errors.add("status", _("A closed case cannot be changed."))
    changes: dict[str, Any] = {}
    if "category" in data:
        changes["category"] = clean_choice(errors, "category", data["category"], Category)
    if "severity" in data:
        changes["severity"] = clean_choice(errors, "severity", data["severity"], Severity)
    if "description" in data:
        changes["description"] = _description(errors, data["description"])
    if "owner" in data:
        changes["owner"] = _owner(errors, data["owner"])
    if "resolution" in data:
        changes["resolution"] = clean_text(
            errors, "resolution", data["resolution"], max_length=2000
        )
    if "cost" in data:
        changes["cost"] = clean_decimal(
            errors, "cost", data["cost"], places=2, min_value=Decimal(0), max_value=MAX_COST
        )
    if "status" in data:
        status = clean_choice(errors, "status", data["status"], CaseStatus)
        if status and status != case.status and status not in NEXT_STATUS[case.status]:
            errors.add(
                "status",
                _("A case cannot go from %(a)s to %(b)s.")
                % {"a": CaseStatus(case.status).label, "b": CaseStatus(status).label},
            )
        elif status:
            changes["status"] = status
    new_status = changes.get("status", case.status)
    resolution = changes.get("resolution", case.resolution)
    if new_status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and not resolution:
        errors.add("resolution", _("Say how the case was resolved."))
    errors.raise_if_any()
    if not changes:
        return case
    now = timezone.now()
    if changes.get("status") == CaseStatus.RESOLVED:
        case.resolved_at = now
    if changes.get("status") == CaseStatus.CLOSED:
        case.closed_at = now
        case.resolved_at = case.resolved_at or now
    for name, value in changes.items():
        setattr(case, name, value)
    case.version += 1
    case.save()
    return case


__all__ = ["ValidationFailed", "case_create", "case_update"]
