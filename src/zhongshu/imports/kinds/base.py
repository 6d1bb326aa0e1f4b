"""What every kind of import shares: the columns a kind reads, the staged rows, look-ups by code
in chunks, and how a problem is noted against a row's cell."""

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeAlias

from django.utils.translation import gettext as _

from zhongshu.core.actors import Actor
from zhongshu.core.text import is_valid_code
from zhongshu.core.validation import Errors, code_charset_message

from .. import custom as C
from .. import normalize as N
from ..models import RowStatus

CHUNK = 2000

# a sheet's header row and where each field's column is in it (field → index): what ``_err`` and
# ``_warn`` need to name the cell, passed along as ``H`` and spread as ``*H``
Heads: TypeAlias = tuple[list[str], dict[str, int]]


@dataclass(frozen=True)
class Column:
    field: str
    label: object  # the template header
    aliases: tuple[str, ...]
    required: bool = False
    example: object = ""
    note: object = ""


@dataclass
class Staged:
    row_no: int
    raw: list
    data: dict
    errors: list
    warnings: list
    status: str = RowStatus.VALID
    key: str = ""


def _chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _load(model, field: str, values, qs=None) -> dict:
    qs = qs if qs is not None else model.objects.all()
    out = {}
    for part in _chunks(sorted(v for v in values if v)):
        out.update({getattr(o, field): o for o in qs.filter(**{f"{field}__in": part})})
    return out


class Kind:
    slug: str
    action: str
    columns: tuple[Column, ...]
    # the record whose field rules the columns follow (docs/permissions.md); "" for none
    entity: str = ""

    def header_map(self) -> dict[str, str]:
        out = {}
        for col in self.columns:
            for alias in (str(col.label), *col.aliases):
                out[N.header_key(alias)] = col.field
        return out

    def full_header_map(self) -> dict[str, str]:
        """The built-in columns and the custom fields of the kind's records (built-ins win)."""
        return {**C.header_aliases(self.slug), **self.header_map()}

    def match_header(self, text: str) -> bool:
        return N.header_key(text) in self.header_map()

    def resolve_columns(self, headers: list[str]) -> tuple[dict[str, int], list[str]]:
        """field → column index, and the missing required columns (their template headers)."""
        hm = self.full_header_map()
        columns: dict[str, int] = {}
        for i, h in enumerate(headers):
            field = hm.get(N.header_key(h))
            if field and field not in columns:
                columns[field] = i
        missing = [str(c.label) for c in self.columns if c.required and c.field not in columns]
        return columns, self.check_missing(columns, missing)

    def check_missing(self, columns, missing):
        return missing

    # validated in one piece: a check reaches across the whole file (a bill of materials' loop)
    whole_file = False

    def validate(self, actor: Actor, rows: list[Staged], headers, columns) -> None:
        """Check ``rows`` — a chunk of the file, or rows of it picked by ``scope`` — and fill in
        their data, problems, status and key."""
        raise NotImplementedError

    def scope(self, row: Staged) -> str:
        """How far a validated row's checks reach across rows (its duplicate check, its order or
        product group): rows of different scopes never change each other's results, so a file can
        be validated in chunks, the rows of a scope met in more than one chunk again together.
        ``""``: none. Its key, unless the kind says otherwise."""
        return row.key


def _err(
    row: Staged, headers: list[str], columns: dict[str, int], field: str, message: Any
) -> None:
    idx = columns.get(field)
    row.errors.append({"column": headers[idx] if idx is not None else "", "message": str(message)})


def _warn(
    row: Staged, headers: list[str], columns: dict[str, int], field: str, message: Any
) -> None:
    idx = columns.get(field)
    row.warnings.append(
        {"column": headers[idx] if idx is not None else "", "message": str(message)}
    )


def _cell(row: Staged, columns, field):
    idx = columns.get(field)
    return row.raw[idx] if idx is not None and idx < len(row.raw) else None


def _master_code(row, H: Heads, seen: dict[str, int], *, max_length: int) -> str:
    """The row's code, upper-cased; missing, too long or repeated in the file is an error."""
    code = N.text(_cell(row, H[1], "code")).upper()
    if not code:
        _err(row, *H, "code", _("This field is required."))
    elif len(code) > max_length:
        _err(row, *H, "code", _("At most %(n)d characters.") % {"n": max_length})
    elif not is_valid_code(code):
        _err(row, *H, "code", code_charset_message())
    elif code in seen:
        _err(row, *H, "code", _("Duplicate of row %(row)d.") % {"row": seen[code]})
    else:
        seen[code] = row.row_no
    return code


def _master_texts(row, H: Heads, fields, clean, *, keep_blank: bool) -> dict[str, str]:
    """The row's text columns ``fields``, checked by the record's own service (``clean(data,
    errors)``: ``catalog.services.clean_material``, ``customers.services.clean_customer``) so
    that a file is held to the same rules as a form; blank ones kept only if asked."""
    values = {field: N.text(_cell(row, H[1], field)) for field in fields}
    errors = Errors()
    clean(values, errors)
    for e in errors.items:
        _err(row, *H, e["field"], e["message"])
    return {k: v for k, v in values.items() if v or keep_blank}


def date_or_none(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
