"""How a make-to-order product is made: its routing (operations on lines) and its BOM."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.catalog.models import Fulfilment, Material
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_decimal, clean_text
from zhongshu.orders.models import Order

from ..estimates import routing_operations
from ..models import (
    BomLine,
    Operation,
    Routing,
    WorkCenter,
)
from ._common import MAX_BOM_LINES, MAX_OPERATIONS, User, _clean_hours, _require

MAX_SCRAP = Decimal("99")  # a line that loses everything is not a component


def _material(code: Any) -> Material:
    material = Material.objects.filter(code=normalize_code(code)).first()
    if material is None:
        raise NotFound()
    return material


def _check_routing(material: Material, operations: Any) -> tuple[Errors, list[tuple]]:
    """Every problem of a routing for ``material`` (none written), and its cleaned operations."""
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
    return errors, rows


def routing_errors(
    *, actor: Actor, material_code: str, operations: list[dict[str, Any]]
) -> list[dict]:
    """What ``routing_set`` would refuse, without writing anything (an import's check)."""
    _require(actor, "production.manage")
    material = Material.objects.filter(code=normalize_code(material_code)).first()
    if material is None:
        return [{"field": "material", "message": _("Unknown material: %(code)s")
                 % {"code": normalize_code(material_code)}}]  # fmt: skip
    return _check_routing(material, operations)[0].items


@transaction.atomic
def routing_set(
    *, actor: Actor | None, material_code: str, operations: list[dict[str, Any]]
) -> Routing:
    """Replace the routing of a make-to-order product with ``operations`` in the given order.
    Task sheets already created keep the operations they were created with."""
    _require(actor, "production.manage")
    material = _material(material_code)
    errors, rows = _check_routing(material, operations)
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


def _check_bom(product: Material, lines: Any, replacing: dict | None) -> tuple[Errors, list]:
    """Every problem of a bill of materials for ``product`` (none written), and its lines."""
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
        scrap = clean_decimal(
            errors, f"{p}.scrap_percent", line.get("scrap_percent") or 0, places=2,
            min_value=Decimal(0), max_value=MAX_SCRAP,
        )  # fmt: skip
        rows.append((component, qty, scrap))
    if not errors:
        mine = [c.code for c, _q, _s in rows if c is not None]  # all of them: no errors
        path = bom_cycle(product=product.code, components=mine, replacing=replacing)
        if path:
            errors.add(
                f"lines[{mine.index(path[1])}].component",
                _("This would make a loop in the bills of materials: %(path)s")
                % {"path": " → ".join(path)},
            )
    return errors, rows


def bom_cycle(
    *, product: str, components: list[str], replacing: dict[str, list[str]] | None = None
) -> list[str]:
    """The loop ``product → … → product`` that giving ``product`` these components would close,
    or ``[]``. The stored bills count, except those in ``replacing`` (product code → component
    codes), which are taken as given: a file that replaces several bills at once is judged as a
    whole. Multi-level bills are exploded top-down by MRP, which a loop would never end."""
    graph: dict[str, list[str]] = defaultdict(list)
    for parent, child in BomLine.objects.values_list("product__code", "component__code"):
        graph[parent].append(child)
    for parent, children in (replacing or {}).items():
        graph[parent] = list(children)
    graph[product] = list(components)
    # depth-first from the product: a path back to it is the loop
    stack = [product]
    parents: dict[str, str | None] = {product: None}
    while stack:
        node = stack.pop()
        for child in graph.get(node, ()):
            if child == product:
                path = [child]
                step: str | None = node
                while step is not None:
                    path.append(step)
                    step = parents[step]
                return path[::-1]
            if child not in parents:
                parents[child] = node
                stack.append(child)
    return []


def bom_errors(
    *, actor: Actor, material_code: str, lines: list[dict[str, Any]],
    replacing: dict[str, list[str]] | None = None,
) -> list[dict]:  # fmt: skip
    """What ``bom_set`` would refuse, without writing anything (an import's check)."""
    _require(actor, "production.manage")
    product = Material.objects.filter(code=normalize_code(material_code)).first()
    if product is None:
        return [{"field": "material", "message": _("Unknown material: %(code)s")
                 % {"code": normalize_code(material_code)}}]  # fmt: skip
    return _check_bom(product, lines, replacing)[0].items


@transaction.atomic
def bom_set(
    *, actor: Actor | None, material_code: str, lines: list[dict[str, Any]]
) -> list[BomLine]:
    """Replace the bill of materials of a product (an empty list clears it). ``scrap_percent``
    of a line is the share lost in making; a bill that would close a loop is refused."""
    _require(actor, "production.manage")
    product = _material(material_code)
    errors, rows = _check_bom(product, lines, None)
    errors.raise_if_any()
    BomLine.objects.filter(product=product).delete()
    return BomLine.objects.bulk_create(
        BomLine(product=product, component=c, quantity_per_unit=q, scrap_percent=s)
        for c, q, s in rows
    )


def missing_routings(order: Order) -> list[str]:
    """Codes of the make-to-order products of ``order`` without a routing with operations. Asks
    ``routing_operations``, which the rush check and the task sheets of the same confirmation
    read too (no query of its own when the lines were loaded; none when no line is a make
    line)."""
    if not _may_have_make_lines(order):
        return []
    prefetched = getattr(order, "_prefetched_objects_cache", {}).get("lines")
    lines = (
        [ln for ln in prefetched if ln.fulfilment == Fulfilment.MAKE]
        if prefetched is not None
        else list(order.lines.filter(fulfilment=Fulfilment.MAKE).select_related("material"))
    )
    codes = {ln.material_id: ln.material.code for ln in lines}
    with_operations = routing_operations(order, codes)
    return sorted({code for m, code in codes.items() if not with_operations.get(m)})


def _may_have_make_lines(order: Order) -> bool:
    prefetched = getattr(order, "_prefetched_objects_cache", {}).get("lines")
    if prefetched is None:
        return True
    return any(line.fulfilment == Fulfilment.MAKE for line in prefetched)
