"""What the kinds whose rows make one record together share (a routing is its operations, a
bill of materials its components, an inspection plan its items): rows are grouped by the
product's code, the whole group is checked by the owning app's service, and a group with one
bad row is held back whole — half a routing is a wrong routing."""

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from .. import normalize as N
from ..models import RowStatus
from .base import Heads, Kind, Staged, _cell, _err, _warn

ITEM = re.compile(r"^\w+\[(\d+)\]\.(\w+)$")


class GroupedKind(Kind):
    grouped = True  # services._groups: commit a product's rows together
    parent_field = "material"
    parent_max_length = 40
    replaces_text: Any = ""  # the preview's warning: "Replaces the stored … of %(code)s." (lazy)

    def groups(self, rows: list[Staged], H: Heads) -> dict[str, list[Staged]]:
        """Rows by the product code (upper-cased, as codes are stored); a row without one is an
        error of its own."""
        out: dict[str, list[Staged]] = defaultdict(list)
        for row in rows:
            code = N.text(_cell(row, H[1], self.parent_field)).upper()
            if not code:
                _err(row, *H, self.parent_field, _("This field is required."))
            elif len(code) > self.parent_max_length:
                _err(row, *H, self.parent_field,
                     _("At most %(n)d characters.") % {"n": self.parent_max_length})  # fmt: skip
            else:
                out[code].append(row)
            row.key = code
        return out

    def settle_groups(
        self, rows: list[Staged], groups: dict[str, list[Staged]], H: Heads, *,
        before: dict, shape: Callable[[list[Staged]], Any],
    ) -> None:  # fmt: skip
        """Every row's final status once the groups are checked: a clean group whose ``shape``
        equals what is stored (``before``, by code) is a duplicate, one that replaces a stored
        record valid with the ``replaces_text`` warning; a row without a product code invalid."""
        for code, group in groups.items():
            same = not any(r.errors for r in group) and before.get(code) == shape(group)
            replaces = self.replaces_text % {"code": code} if code in before else ""
            settle(group, H, field=self.parent_field, same=same, replaces=replaces)
        for row in rows:
            if not row.key:
                settle([row], H, field=self.parent_field, same=False)


def report(group: list[Staged], H: Heads, errors: list[dict], fields: dict[str, str]) -> None:
    """A service's errors on the rows they are about: ``operations[2].setup_hours`` is the
    third row of the group, column ``fields["setup_hours"]``; an error about the whole record
    goes on its first row."""
    for e in errors:
        m = ITEM.match(e["field"])
        if m and int(m.group(1)) < len(group):
            row = group[int(m.group(1))]
            _err(row, *H, fields.get(m.group(2), m.group(2)), e["message"])
        else:
            _err(group[0], *H, fields.get(e["field"], e["field"]), e["message"])


def settle(group: list[Staged], H: Heads, *, field: str, same: bool, replaces: str = "") -> None:
    """Final status of a group's rows: invalid rows invalid and the others held back; a group
    equal to what is stored already a duplicate (a second import changes nothing); one that
    replaces a stored record valid, with a warning in the preview."""
    bad = [r.row_no for r in group if r.errors]
    for r in group:
        if r.errors:
            r.status = RowStatus.INVALID
        elif bad:
            r.status = RowStatus.BLOCKED
            _warn(r, *H, field,
                  _("Held back: row %(rows)s of the same product has errors.")
                  % {"rows": ", ".join(map(str, bad[:5]))})  # fmt: skip
        elif same:
            r.status = RowStatus.DUPLICATE
            _warn(r, *H, field, _("Already stored this way; nothing to change."))
    if not bad and not same and replaces:
        _warn(group[0], *H, field, replaces)


def commit_groups(batch, groups, *, strict: bool, save, error_field: str) -> int:
    """Each product's rows through ``save(rows)`` in its own savepoint; ``save`` returns False
    when the stored record already equals the rows (then they are duplicates, nothing written).
    A group the service refuses is marked with the service's messages on all its rows, or stops
    the batch when it is all or nothing."""
    from django.db import transaction

    from zhongshu.core.errors import DomainError, ValidationFailed

    from ..committing import _reject

    saved = 0
    for rows in groups:
        try:
            with transaction.atomic():
                changed = save(rows)
        except (ValidationFailed, DomainError) as exc:
            if strict:
                raise
            messages = (
                [e["message"] for e in exc.errors]
                if isinstance(exc, ValidationFailed)
                else [exc.message]
            )
            for r in rows:
                for message in messages:
                    _reject(batch, r, error_field, message, strict=False)
            continue
        for r in rows:
            r.status = RowStatus.COMMITTED if changed is not False else RowStatus.DUPLICATE
        saved += changed is not False
    return saved
