"""How a make-to-order product is made: its routing (operations on lines) and its BOM."""

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from zhongshu.catalog.models import Fulfilment, Material
from zhongshu.core.errors import NotFound
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_decimal, clean_text
from zhongshu.orders.models import Order

from ..models import (
    BomLine,
    Operation,
    Routing,
    WorkCenter,
)
from ._common import MAX_BOM_LINES, MAX_OPERATIONS, User, _clean_hours, _require


def _material(code: Any) -> Material:
    material = Material.objects.filter(code=normalize_code(code)).first()
    if material is None:
        raise NotFound()
    return material


@transaction.atomic
def routing_set(*, actor, material_code: str, operations: list[dict[str, Any]]) -> Routing:
    """Replace the routing of a make-to-order product with ``operations`` in the given order.
    Task sheets already created keep the operations they were created with."""
    _require(actor, "production.manage")
    material = _material(material_code)
    errors = Errors()
    if material.fulfilment != Fulfilment.MAKE:
        errors.add("material", _("Only make-to-order products have a routing."))
    if not isinstance(operations, list | tuple) or not operations:
        errors.add("operations", _("A routing needs at least one operation."))
        operations = []
    elif len(operations) > MAX_OPERATIONS:
        errors.add("operations", _("At most %(n)d operations.") % {"n": MAX_OPERATIONS})
        operations = []
    codes = {normalize_code(op.get("work_center")) for op in operations if isinstance(op, dict)}
    lines = {wc.code: wc for wc in WorkCenter.objects.filter(code__in=codes)}
    names = {
        normalize_text(str(op.get("default_owner")))
        for op in operations
        if isinstance(op, dict) and op.get("default_owner")
    }
    owners = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    rows = []
    for i, op in enumerate(operations):
        p = f"operations[{i}]"
        if not isinstance(op, dict):
            errors.add(p, _("Each operation needs a production line and hours."))
            continue
        wc = lines.get(normalize_code(op.get("work_center")))
        if wc is None:
            errors.add(f"{p}.work_center", _("Unknown production line."))
        setup = _clean_hours(errors, f"{p}.setup_hours", op.get("setup_hours", 0))
        run = _clean_hours(errors, f"{p}.run_hours_per_unit", op.get("run_hours_per_unit"))
        name = clean_text(errors, f"{p}.name", op.get("name"), max_length=80)
        owner = None
        if op.get("default_owner"):
            owner = owners.get(normalize_text(str(op["default_owner"])))
            if owner is None:
                errors.add(f"{p}.default_owner", _("Unknown user."))
        rows.append((wc, setup, run, name, owner))
    errors.raise_if_any()
    routing, created = Routing.objects.select_for_update().get_or_create(
        material=material, defaults={"updated_by": actor}
    )
    if not created:
        routing.operations.all().delete()
        routing.version += 1
        routing.updated_by = actor
        routing.save()
    Operation.objects.bulk_create(
        Operation(
            routing=routing, sequence=(i + 1) * 10, work_center=wc, setup_hours=setup,
            run_hours_per_unit=run, name=name, default_owner=owner,
        )
        for i, (wc, setup, run, name, owner) in enumerate(rows)
    )  # fmt: skip
    return routing


@transaction.atomic
def bom_set(*, actor, material_code: str, lines: list[dict[str, Any]]) -> list[BomLine]:
    """Replace the bill of materials of a product (an empty list clears it)."""
    _require(actor, "production.manage")
    product = _material(material_code)
    errors = Errors()
    if not isinstance(lines, list | tuple):
        errors.add("lines", _("Enter a list of components."))
        lines = []
    elif len(lines) > MAX_BOM_LINES:
        errors.add("lines", _("At most %(n)d lines.") % {"n": MAX_BOM_LINES})
        lines = []
    codes = {normalize_code(line.get("component")) for line in lines if isinstance(line, dict)}
    components = {m.code: m for m in Material.objects.filter(code__in=codes)}
    rows, seen = [], set()
    for i, line in enumerate(lines):
        p = f"lines[{i}]"
        if not isinstance(line, dict):
            errors.add(p, _("Each line needs a component and a quantity."))
            continue
        code = normalize_code(line.get("component"))
        component = components.get(code)
        if component is None:
            errors.add(f"{p}.component", _("Unknown material: %(code)s") % {"code": code})
        elif component.pk == product.pk:
            errors.add(f"{p}.component", _("A product cannot be its own component."))
        elif component.pk in seen:
            errors.add(f"{p}.component", _("Listed twice: %(code)s") % {"code": code})
        else:
            seen.add(component.pk)
        qty = clean_decimal(
            errors, f"{p}.quantity_per_unit", line.get("quantity_per_unit"), places=4,
            strictly_positive=True,
        )  # fmt: skip
        rows.append((component, qty))
    errors.raise_if_any()
    BomLine.objects.filter(product=product).delete()
    return BomLine.objects.bulk_create(
        BomLine(product=product, component=c, quantity_per_unit=q) for c, q in rows
    )


def missing_routings(order: Order) -> list[str]:
    make_lines = order.lines.filter(fulfilment=Fulfilment.MAKE)
    return sorted(
        make_lines.filter(
            Q(material__routing__isnull=True) | Q(material__routing__operations__isnull=True)
        )
        .values_list("material__code", flat=True)
        .distinct()
    )
