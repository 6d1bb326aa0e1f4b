"""Exports in the audit trail: every list download is logged (``ExportLog``: who downloaded which
list, with which filters, how many rows). The trail itself (``zhongshu.audit``) lists them with
the recorded changes and logins.
"""

import datetime as dt
from typing import IO, Any

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from zhongshu.core import xlsx
from zhongshu.core.actors import Actor, recorded
from zhongshu.core.text import CONTROL

from .models import ExportLog

# what each export is called in the log (the kind slugs are the ones ExportLog.kind stores)
EXPORT_KINDS = {
    "orders": _("Orders"),
    "customers": _("Customers"),
    "materials": _("Materials"),
    "stock": _("Stock levels"),
    "shipments": _("Shipments"),
    "audit": _("Audit trail"),
    "reconciliation": _("Reconciliation statement"),
}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    # as typed, less control characters (PostgreSQL's JSON refuses NUL, and they show as nothing)
    return CONTROL.sub("", str(value))


def clean_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters as they are stored in the log: only the ones given, JSON-safe."""
    plain = {k: _plain(v) for k, v in filters.items()}
    return {k: v for k, v in plain.items() if v not in (None, "", [], (), False)}


def log_export(*, actor: Actor, kind: str, filters: dict[str, Any], rows: int) -> ExportLog:
    return ExportLog.objects.create(
        user=recorded(actor),
        kind=kind,
        filters=clean_filters(filters),
        row_count=rows,
    )


def export_workbook(*, actor: Actor, export: xlsx.ListExport) -> tuple[IO[bytes], str]:
    """Write a list export into a temporary file and log it. Returns ``(file, filename)``.

    The caller has checked the permission and scoped the rows (the export builders in each app
    do both before any row is read); a failure while writing logs nothing."""
    fileobj = xlsx.spool()
    try:
        count = xlsx.write_list(
            fileobj, title=export.title, columns=export.columns, rows=export.rows
        )
    except BaseException:
        fileobj.close()
        raise
    log_export(actor=actor, kind=export.kind, filters=export.filters, rows=count)
    return fileobj, xlsx.dated_filename(export.title)


def export_download(*, actor: Actor, export: xlsx.ListExport) -> FileResponse:
    """The HTTP response of a list export, logged (see ``export_workbook``)."""
    return xlsx.download(*export_workbook(actor=actor, export=export))
