"""The audit trail: who changed what, when, from what to what (SPEC §2).

Writes are recorded by django-simple-history (one historical table per audited model) and logins
by django-axes (``AccessLog`` for logins and logouts, ``AccessFailureLog`` for failed attempts),
exports by ``ExportLog`` (who downloaded which list, with which filters, how many rows).
The apps register the models whose history is shown (``core.auditing``); this module reads them
back as one list, newest first, with a keyset cursor across all sources:
every source is asked for at most one page past the cursor, so a page costs a fixed number of
queries whatever the filters and however long the history is.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from axes.models import AccessFailureLog, AccessLog
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhongshu.accounts import permissions
from zhongshu.accounts.audit import EXPORT_KINDS
from zhongshu.accounts.models import ExportLog
from zhongshu.audit.labels import field_label
from zhongshu.core import auditing, xlsx
from zhongshu.core.actors import Actor
from zhongshu.core.auditing import Audited as Source
from zhongshu.core.errors import ValidationFailed
from zhongshu.customfields import values as cf_values
from zhongshu.customfields.models import FieldDefinition

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Kind:
    """The trail's own kinds; the others are those the apps register (``core.auditing``)."""

    LOGIN = "login"
    EXPORT = "export"


OWN_KINDS = [(Kind.LOGIN, _("Logins")), (Kind.EXPORT, _("Exports"))]


def kind_choices() -> list[tuple[str, Any]]:
    return [*auditing.kinds(), *OWN_KINDS]


def kind_label(kind: str) -> str:
    return str(dict(kind_choices()).get(kind, kind))


ACTIONS = {
    "+": _("Record created"),
    "~": _("Record changed"),
    "-": _("Record deleted"),
}


@dataclass
class Filters:
    kind: str = ""
    user: str = ""  # a username, exact
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    obj: str = ""  # an id, or the object's code / number / username


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: dt.datetime
    who: str
    action: str
    kind: str
    kind_label: str
    obj: str
    changes: list[Change] = field(default_factory=list)
    note: str = ""
    cursor: str = ""


# login log sources: (index, model, time field)
LOGIN_INDEX = 9
FAILURE_INDEX = 10
EXPORT_INDEX = 11


def _before_cursor(cursor, index: int, date_field: str, id_field: str) -> Q:
    """Rows strictly after ``cursor`` in the order (date desc, source desc, id desc)."""
    if cursor is None:
        return Q()
    when, c_index, c_id = cursor
    q = Q(**{f"{date_field}__lt": when})
    if index < c_index:
        q |= Q(**{date_field: when})
    elif index == c_index:
        q |= Q(**{date_field: when, f"{id_field}__lt": c_id})
    return q


def _date_range(filters: Filters, date_field: str) -> Q:
    q = Q()
    tz = timezone.get_current_timezone()
    if filters.date_from:
        start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz)
        q &= Q(**{f"{date_field}__gte": start})
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        q &= Q(**{f"{date_field}__lt": end})
    return q


def parse_cursor(raw: str):
    """``<iso datetime>|<source>|<id>``; anything else is a 422, never a 500."""
    try:
        when, index, row_id = raw.rsplit("|", 2)
        parsed = dt.datetime.fromisoformat(when)
        if parsed.tzinfo is None:
            raise ValueError
        return parsed, int(index), int(row_id)
    except (TypeError, ValueError):
        raise ValidationFailed({"cursor": _("This page link is not valid.")}) from None


def _history_rows(src: Source, filters: Filters, cursor, limit: int) -> list:
    qs: QuerySet = src.model.history.all()
    if src.annotate:
        qs = qs.annotate(**src.annotate)
    qs = qs.filter(_date_range(filters, "history_date"))
    qs = qs.filter(_before_cursor(cursor, src.position, "history_date", "history_id"))
    if filters.user:
        qs = qs.filter(history_user__username=filters.user)
    if filters.obj:
        match = Q(**{src.code_lookup: filters.obj})
        if filters.obj.isdigit():
            match |= Q(id=int(filters.obj))
        qs = qs.filter(match)
    # the previous version of each row, so the page can show before → after without a query per row
    previous = src.model.history.filter(
        id=OuterRef("id"), history_id__lt=OuterRef("history_id")
    ).order_by("-history_id")
    qs = qs.annotate(prev_id=Subquery(previous.values("history_id")[:1]))
    return list(qs.select_related("history_user").order_by("-history_date", "-history_id")[:limit])


def _custom_definitions(actor: Actor) -> dict[str, dict]:
    """Every field definition, deleted ones too (their history still shows), that ``actor``
    may see, by entity and key — one query per page."""
    out: dict[str, dict] = {}
    for defn in FieldDefinition.objects.all():
        if permissions.custom_field_visible(actor, defn):
            out.setdefault(defn.entity, {})[defn.key] = defn
    return out


def _custom_changes(defs: dict, old, new) -> list[Change]:
    """One change per custom field whose value changed, with its label; fields the reader may
    not see are left out, values as a person reads them."""
    old, new = old or {}, new or {}
    changes = []
    for key in sorted(set(old) | set(new)):
        defn = defs.get(key)
        if defn is None or old.get(key) == new.get(key):
            continue
        changes.append(
            Change(
                field=f"custom.{key}",
                label=defn.label,
                old=cf_values.display(defn, old.get(key)) or "—",
                new=cf_values.display(defn, new.get(key)) or "—",
            )
        )
    return changes


def _diff(src: Source, row, prev, custom_defs: dict | None = None) -> list[Change]:
    if prev is None:
        return []
    changes = []
    tracked = {f.name for f in row.instance_type._meta.get_fields()}
    # many-to-many diffs cost a query per row; region membership shows on the user's own rows
    excluded = {"updated_at"} & tracked | {f.name for f in src.model._meta.many_to_many}
    diff = row.diff_against(prev, excluded_fields=excluded)
    for ch in diff.changes:
        if ch.field == "custom" and src.custom_entity:
            defs = (custom_defs or {}).get(src.custom_entity, {})
            changes.extend(_custom_changes(defs, ch.old, ch.new))
            continue
        model_field = row.instance_type._meta.get_field(ch.field)
        changes.append(
            Change(
                field=ch.field,
                label=field_label(model_field, ch.field),
                old=_show(model_field, ch.old),
                new=_show(model_field, ch.new),
            )
        )
    return changes


def _show(model_field, value) -> str:
    if value is None or value == "":
        return "—"
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


def _login_rows(filters: Filters, cursor, limit: int) -> list[Entry]:
    out = []
    for index, model in ((LOGIN_INDEX, AccessLog), (FAILURE_INDEX, AccessFailureLog)):
        qs = model.objects.filter(_date_range(filters, "attempt_time"))
        qs = qs.filter(_before_cursor(cursor, index, "attempt_time", "id"))
        if filters.user:
            qs = qs.filter(username=filters.user)
        if filters.obj:
            qs = qs.filter(username=filters.obj)
        for row in qs.order_by("-attempt_time", "-id")[:limit]:
            if index == LOGIN_INDEX:
                action = str(_("logged in"))
                note = ""
                if row.logout_time:
                    note = str(_("logged out at %(time)s")) % {
                        "time": timezone.localtime(row.logout_time).strftime("%Y-%m-%d %H:%M:%S")
                    }
            else:
                action = str(_("login failed"))
                note = ""
            out.append(
                Entry(
                    when=row.attempt_time,
                    who=row.username or "",
                    action=action,
                    kind=Kind.LOGIN,
                    kind_label=kind_label(Kind.LOGIN),
                    obj=row.ip_address or "",
                    note=note,
                    cursor=f"{row.attempt_time.isoformat()}|{index}|{row.id}",
                )
            )
    return out


def audit_page(*, actor: Actor, filters: Filters, cursor: str = "", limit: int = PAGE_SIZE):
    """One page of the audit trail, newest first, and the cursor of the next page (or "")."""
    permissions.require(actor, "audit.view")
    position = parse_cursor(cursor) if cursor else None
    entries: list[Entry] = []
    rows_by_source: list[tuple[Source, list]] = []
    for src in auditing.sources():
        if filters.kind and filters.kind != src.kind:
            continue
        rows = _history_rows(src, filters, position, limit + 1)
        rows_by_source.append((src, rows))
    custom_defs = _custom_definitions(actor) if rows_by_source else {}
    # one query per source for all the previous versions the page needs
    for src, rows in rows_by_source:
        prev_ids = [r.prev_id for r in rows if r.prev_id]
        # [0] keeps the query count fixed: an empty IN would be answered without a query
        prevs = {p.history_id: p for p in src.model.history.filter(history_id__in=prev_ids or [0])}
        for r in rows:
            user = r.history_user
            entries.append(
                Entry(
                    when=r.history_date,
                    who=user.get_username() if user else "",
                    action=str(ACTIONS.get(r.history_type, r.history_type)),
                    kind=src.kind,
                    kind_label=str(src.kind_label),
                    obj=src.label(r),
                    changes=_diff(src, r, prevs.get(r.prev_id), custom_defs),
                    note=r.history_change_reason or "",
                    cursor=f"{r.history_date.isoformat()}|{src.position}|{r.history_id}",
                )
            )
    if not filters.kind or filters.kind == Kind.LOGIN:
        entries.extend(_login_rows(filters, position, limit + 1))
    if not filters.kind or filters.kind == Kind.EXPORT:
        entries.extend(_export_rows(filters, position, limit + 1))
    entries.sort(key=lambda e: _sort_key(e.cursor), reverse=True)
    page = entries[:limit]
    next_cursor = page[-1].cursor if len(entries) > limit else ""
    return page, next_cursor


def _sort_key(cursor: str):
    when, index, row_id = cursor.rsplit("|", 2)
    return dt.datetime.fromisoformat(when), int(index), int(row_id)


# --- exports: listed with the rest of the trail, and the trail itself exportable ----------------


def _export_note(row: ExportLog) -> str:
    parts = [str(_("%(rows)s rows")) % {"rows": row.row_count}]
    if row.filters:
        shown = ", ".join(
            f"{k}={'/'.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in sorted(row.filters.items())
        )
        parts.append(str(_("filters: %(filters)s")) % {"filters": shown})
    return "; ".join(parts)


def _export_rows(filters: Filters, cursor, limit: int) -> list[Entry]:
    qs = ExportLog.objects.filter(_date_range(filters, "at"))
    qs = qs.filter(_before_cursor(cursor, EXPORT_INDEX, "at", "id"))
    if filters.user:
        qs = qs.filter(user__username=filters.user)
    if filters.obj:
        qs = qs.filter(kind=filters.obj)
    out = []
    for row in qs.select_related("user").order_by("-at", "-id")[:limit]:
        out.append(
            Entry(
                when=row.at,
                who=row.user.get_username() if row.user else "",
                action=str(_("exported")),
                kind=Kind.EXPORT,
                kind_label=kind_label(Kind.EXPORT),
                obj=str(EXPORT_KINDS.get(row.kind, row.kind)),
                note=_export_note(row),
                cursor=f"{row.at.isoformat()}|{EXPORT_INDEX}|{row.id}",
            )
        )
    return out


def iter_entries(*, actor: Actor, filters: Filters, page_size: int = MAX_PAGE_SIZE):
    """Every entry matching ``filters``, newest first, a page at a time (bounded memory)."""
    cursor = ""
    while True:
        page, cursor = audit_page(actor=actor, filters=filters, cursor=cursor, limit=page_size)
        yield from page
        if not cursor:
            return


def _changes_text(entry: Entry) -> str:
    return "; ".join(f"{c.label}: {c.old} → {c.new}" for c in entry.changes)


def audit_export(*, actor: Actor, filters: Filters) -> xlsx.ListExport:
    permissions.require(actor, "audit.view")
    permissions.require(actor, "audit.export")
    columns = [
        xlsx.Column(_("When"), lambda e: e.when, xlsx.DATETIME, 18),
        xlsx.Column(_("Who"), lambda e: e.who, width=14),
        xlsx.Column(_("What"), lambda e: e.action, width=14),
        xlsx.Column(_("Object type"), lambda e: e.kind_label, width=12),
        xlsx.Column(_("Object"), lambda e: e.obj, width=24),
        xlsx.Column(_("Changes"), _changes_text, width=60),
        xlsx.Column(_("Note"), lambda e: e.note, width=40),
    ]
    return xlsx.ListExport(
        kind="audit",
        title=EXPORT_KINDS["audit"],
        columns=columns,
        rows=iter_entries(actor=actor, filters=filters),
        filters={
            "kind": filters.kind,
            "user": filters.user,
            "date_from": filters.date_from,
            "date_to": filters.date_to,
            "obj": filters.obj,
        },
    )
