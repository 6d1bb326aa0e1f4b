"""Order lines: cleaning what was sent, matching it to the stored lines it continues (so that
negotiated prices and custom values stay with their line), and the one builder of ``OrderLine``
rows used by every path that writes lines (create, edit, approved changes, the bulk paths)."""

from decimal import Decimal
from typing import Any, TypedDict, cast

from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from zhongshu.catalog.models import Fulfilment, Material
from zhongshu.core.actors import Actor
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_decimal, clean_text
from zhongshu.customfields import selectors as custom_fields
from zhongshu.customfields.models import FieldDefinition
from zhongshu.customfields.values import clean_custom

from ..models import Order, OrderLine, money
from .rules import amount_problem, line_count_problem, material_problem


class CleanLine(TypedDict):
    """A line as ``_clean_lines`` returns it: what ``line_from_clean`` builds the row from."""

    material: Material
    quantity: Decimal
    unit_price: Decimal | None  # the carried price (``_carry_prices``) when not sent
    price_given: bool
    fulfilment: str
    note: str
    custom: dict[str, Any]


def build_line(
    *,
    line_no: int,
    material_id: int,
    quantity: Decimal,
    unit_price: Decimal,
    fulfilment: str,
    note: str = "",
    custom: dict[str, Any] | None = None,
    order: Order | None = None,
    order_id: int | None = None,
    material: Material | None = None,
) -> OrderLine:
    """An unsaved ``OrderLine`` with its amount: what every path writes for a line."""
    line = OrderLine(  # type: ignore[misc]  # order_id is None only when order is given
        order_id=order.pk if order is not None else order_id,
        line_no=line_no,
        material_id=material_id,
        quantity=quantity,
        unit_price=unit_price,
        amount=money(quantity * unit_price),
        fulfilment=fulfilment,
        note=note,
        custom=custom or {},
    )
    if order is not None:
        line.order = order
    if material is not None:
        line.material = material
    return line


def line_from_clean(order: Order, line_no: int, cleaned: CleanLine) -> OrderLine:
    """``build_line`` for a line as ``_clean_lines`` returns it."""
    return build_line(
        order=order,
        line_no=line_no,
        material_id=cleaned["material"].pk,
        material=cleaned["material"],
        quantity=cleaned["quantity"],
        # None only beside a refusal, raised before any line is built
        unit_price=cast(Decimal, cleaned["unit_price"]),
        fulfilment=cleaned["fulfilment"],
        note=cleaned["note"],
        custom=cleaned.get("custom"),
    )


def _write_lines(order: Order, lines: list[CleanLine]) -> list[OrderLine]:
    who = getattr(order, "_history_user", None)
    # one by one, so each removed line leaves its deletion in the audit trail
    for old in order.lines.all():
        if who is not None:
            old._history_user = who  # type: ignore[attr-defined]  # read by simple_history
        old.delete()
    objs = [line_from_clean(order, i, line) for i, line in enumerate(lines, start=1)]
    bulk_create_with_history(objs, OrderLine, default_user=who)
    return objs


def _clean_lines(
    errors: Errors,
    raw_lines: Any,
    *,
    actor: Actor | None = None,
    stored: list[dict[str, Any] | None] | None = None,
    enforce_required: bool = True,
) -> list[CleanLine]:
    """``stored``: by position, the stored custom values of the line each sent line continues
    (None for a new line), kept for the fields the actor does not see or does not send."""
    if not isinstance(raw_lines, list | tuple):
        raw_lines = []
    problem = line_count_problem(len(raw_lines))
    if problem:
        errors.add("lines", problem)
        return []
    codes = {normalize_code(line.get("material")) for line in raw_lines if isinstance(line, dict)}
    materials = {m.code: m for m in Material.objects.filter(code__in=codes)}
    definitions = None
    cleaned = []
    for i, line in enumerate(raw_lines):
        if definitions is None:
            definitions = custom_fields.definitions("order_line", actor=actor)
        kept = stored[i] if stored and i < len(stored) else None
        one = _clean_line(
            errors, i, line, materials, actor, definitions, kept, enforce_required=enforce_required
        )
        if one is not None:
            cleaned.append(one)
    return cleaned


def _clean_line(
    errors: Errors, i: int, line: Any, materials: dict[str, Material], actor: Actor | None,
    definitions: list[FieldDefinition], kept: dict[str, Any] | None, *, enforce_required: bool,
) -> CleanLine | None:  # fmt: skip
    prefix = f"lines[{i}]"
    if not isinstance(line, dict):
        errors.add(prefix, _("Each line needs a material and a quantity."))
        return None
    code = normalize_code(line.get("material"))
    material = materials.get(code)
    if not code:
        errors.add(f"{prefix}.material", _("This field is required."))
    else:
        problem = material_problem(code, None if material is None else material.is_active)
        if problem:
            errors.add(f"{prefix}.material", problem)
            material = None
    quantity = clean_decimal(
        errors, f"{prefix}.quantity", line.get("quantity"), places=3, strictly_positive=True
    )
    price_given = line.get("unit_price") not in (None, "")
    unit_price = None
    if price_given:
        unit_price = clean_decimal(
            errors, f"{prefix}.unit_price", line["unit_price"], places=2, min_value=Decimal(0)
        )
    fulfilment = None
    if line.get("fulfilment"):
        fulfilment = clean_choice(errors, f"{prefix}.fulfilment", line["fulfilment"], Fulfilment)
    note = clean_text(errors, f"{prefix}.note", line.get("note"), max_length=200)
    custom = clean_custom(
        actor=actor,
        definitions=definitions,
        raw=line.get("custom") if isinstance(line.get("custom"), dict) else None,
        existing=kept,
        errors=errors,
        prefix=f"{prefix}.custom",
        creating=kept is None,
        enforce_required=enforce_required,
    )
    if line.get("custom") is not None and not isinstance(line.get("custom"), dict):
        errors.add(f"{prefix}.custom", _("Expected an object of field values."))
    price = unit_price if price_given else getattr(material, "standard_price", None)
    if quantity is not None and price is not None:
        problem = amount_problem(quantity, price)
        if problem:
            errors.add(f"{prefix}.amount", problem)
            return None
    if material is None or quantity is None:
        return None
    return {
        "material": material,
        "quantity": quantity,
        "unit_price": unit_price if price_given else material.standard_price,
        "price_given": price_given,
        "fulfilment": fulfilment or material.fulfilment,
        "note": note,
        "custom": custom,
    }


def match_lines(
    errors: Errors, raw_lines: Any, old_lines: list[OrderLine]
) -> list[OrderLine | None]:
    """The stored line each sent line continues (None: a new line), so that its negotiated price
    and custom values carry over whatever the order or number of the lines sent. A line names it
    by ``line_no`` (as the order reads back); a line without one continues a free stored line of
    the same material: the one at its position, else one at the price it sends, else the first.
    A line sent with the number of a line of another material is a new line."""
    if not isinstance(raw_lines, list | tuple):
        return []
    by_no: dict[int | None, OrderLine] = {ol.line_no: ol for ol in old_lines}
    taken: set[int] = set()
    matched: list[OrderLine | None] = [None] * len(raw_lines)
    pending: list[tuple[int, str, dict[str, Any]]] = []
    for i, line in enumerate(raw_lines):
        if not isinstance(line, dict):
            continue
        code = normalize_code(line.get("material"))
        no = line.get("line_no")
        if no in (None, ""):
            pending.append((i, code, line))
            continue
        old = by_no.get(_int_or_none(no))
        if old is None or old.line_no in taken:
            errors.add(f"lines[{i}].line_no", _("Unknown line."))
            continue
        taken.add(old.line_no)
        matched[i] = old if old.material.code == code else None
    rules = (
        lambda i, line, ol: ol.line_no == i + 1,
        lambda i, line, ol: _same_price(line.get("unit_price"), ol.unit_price),
        lambda i, line, ol: True,
    )
    for rule in rules:
        for i, code, line in pending:
            if matched[i] is None:
                matched[i] = next(
                    (
                        ol
                        for ol in old_lines
                        if ol.line_no not in taken
                        and ol.material.code == code
                        and rule(i, line, ol)
                    ),
                    None,
                )
                found = matched[i]
                if found is not None:
                    taken.add(found.line_no)
    return matched


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _same_price(raw: Any, price: Decimal) -> bool:
    if raw in (None, ""):
        return False
    try:
        return Decimal(normalize_text(str(raw)).replace(",", "")) == price
    except ArithmeticError:
        return False


def _carry_prices(new_lines: list[CleanLine], matched: list[OrderLine | None]) -> bool:
    """Give each line sent without a price the price of the line it continues; whether any price
    changes: a continued line whose price differs from its stored one, or a new line priced by
    hand. Compared by value, so a price sent back unchanged is no change."""
    changed = False
    for nl, old in zip(new_lines, matched, strict=True):
        if old is None:
            changed = changed or nl["price_given"]
            continue
        if not nl["price_given"]:
            nl["unit_price"] = old.unit_price
        changed = changed or nl["unit_price"] != old.unit_price
    return changed


def _line_tuple(line: OrderLine | CleanLine) -> tuple[Any, ...]:
    if isinstance(line, OrderLine):
        return (line.material_id, line.quantity, line.unit_price, line.fulfilment, line.note,
                line.custom)  # fmt: skip
    return (line["material"].pk, line["quantity"], line["unit_price"], line["fulfilment"],
            line["note"], line["custom"])  # fmt: skip
