"""Import use cases: upload (stage + validate), commit, cancel.

Staging writes only ImportBatch/ImportRow. Commit writes the real records in chunks; each chunk is
one transaction holding the records it created, the rows' new status and the batch's progress, so a
worker killed mid-way leaves whole orders only and the next run carries on where it stopped.
"""

import datetime as dt
import hashlib
import logging
import os
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import DomainError, ValidationFailed

from .committing import (  # noqa: F401  (commit_each: the kinds that commit their own rows)
    _commit_orders,
    _commit_service_rows,
    _commit_stock,
    _reject,
    commit_each,
)
from .exceptions import BadFile, BatchBusy, BatchNotCommittable
from .kinds import KINDS
from .models import BUSY, BatchStatus, CommitMode, ImportBatch, ImportRow, RowStatus
from .parsing import open_sheet
from .pipeline import Cancelled, Run, Tally, check_and_stage
from .selectors import batch_get

log = logging.getLogger(__name__)


def conf(name: str, default: int) -> int:
    """IMPORT_* limits: Django setting, else environment variable, else the default."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def max_bytes() -> int:
    return conf("IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_rows() -> int:
    return conf("IMPORT_MAX_ROWS", 200_000)


# --- upload and validation ------------------------------------------------------------------------


def batch_upload(*, actor: Actor, content: bytes, name: str, kind: str) -> ImportBatch:
    """Store the file and stage its rows; small files are validated at once, large ones by the
    worker (status ``validating`` until then)."""
    if kind not in KINDS:
        raise ValidationFailed(
            {"kind": _("Choose one of: %(choices)s.") % {"choices": ", ".join(KINDS)}}
        )
    permissions.require(actor, KINDS[kind].action)
    name = os.path.basename(str(name or "upload"))[-150:] or "upload"
    if not content:
        raise BadFile(_("The file is empty."))
    if len(content) > max_bytes():
        raise BadFile(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
            % {"size": round(len(content) / 1048576, 1), "limit": round(max_bytes() / 1048576, 1)},
            code="file_too_large",
        )
    digest = hashlib.sha256(content).hexdigest()
    same = (
        ImportBatch.objects.filter(sha256=digest, kind=kind, status=BatchStatus.COMMITTED)
        .order_by("id")
        .first()
    )
    background = len(content) > conf("IMPORT_BACKGROUND_BYTES", 256 * 1024)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind,
            user=actor,
            original_name=name,
            sha256=digest,
            size=len(content),
            same_as=same,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            status=BatchStatus.VALIDATING if background else BatchStatus.UPLOADED,
            file=ContentFile(content, name=_stored_name(digest, name)),
        )
        if background:
            from . import tasks

            transaction.on_commit(lambda: tasks.validate_import.enqueue(batch.pk))
    if not background:
        validate_batch(batch.pk)
        batch.refresh_from_db()
    return batch


def validate_batch(batch_id: int) -> None:
    """Read, normalise, check and stage the rows, a chunk at a time (``pipeline``). Safe to run
    again: staged rows of an interrupted run are replaced."""
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    if batch.status not in (BatchStatus.UPLOADED, BatchStatus.VALIDATING):
        return
    kind = KINDS[batch.kind]
    with translation.override(batch.language):
        ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.VALIDATING)
        ImportRow.objects.filter(batch=batch).delete()
        try:
            with batch.file.open("rb") as fh:
                content = fh.read()
            sheet = open_sheet(content, batch.original_name, kind.match_header, max_rows=max_rows())
            del content  # the rows are read from the parser's output from here on
            columns, missing = kind.resolve_columns(sheet.headers)
            if missing:
                raise BadFile(
                    _("Required columns are missing: %(cols)s.") % {"cols": ", ".join(missing)},
                    code="missing_columns",
                )
            ImportBatch.objects.filter(pk=batch.pk).update(
                headers=sheet.headers,
                columns=columns,
                progress_total=sheet.estimate,
                progress_done=0,
            )
            size = max_rows() + 1 if kind.whole_file else chunk_rows()
            run = Run(batch, kind, sheet.headers, columns, size)
            check_and_stage(run, sheet.rows)
        except BadFile as exc:
            ImportRow.objects.filter(batch=batch).delete()
            _fail(batch, str(exc.message))
            return
        except Cancelled:
            ImportRow.objects.filter(batch=batch).delete()
            _finish_cancel(batch, _("Cancelled while checking the file."))
            return
        _validated(batch, run.tally, skipped=sheet.skipped)


def chunk_rows() -> int:
    """Rows validated and staged together (IMPORT_VALIDATE_CHUNK)."""
    return max(conf("IMPORT_VALIDATE_CHUNK", 5000), 1)


def _validated(batch: ImportBatch, tally: Tally, *, skipped: int) -> None:
    message = ""
    if batch.same_as_id:
        message = _(
            "This file was already imported (batch #%(id)d); rows already imported are "
            "skipped and nothing is created twice."
        ) % {"id": batch.same_as_id}
    counts = tally.status
    ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.VALIDATING).update(
        status=BatchStatus.VALIDATED,
        total=tally.total,
        valid=counts[RowStatus.VALID],
        invalid=counts[RowStatus.INVALID],
        blocked=counts[RowStatus.BLOCKED],
        duplicate=counts[RowStatus.DUPLICATE],
        warnings=tally.warned,
        skipped=skipped,
        progress_total=tally.total,
        progress_done=tally.total,
        message=message,
        updated_at=timezone.now(),
    )


def _stored_name(digest: str, name: str) -> str:
    """The file's name on disk: the digest keeps it unique, the extension keeps it readable; the
    name people gave it (200 Chinese characters are 600 bytes, more than a file system allows in
    one name) stays only in ``original_name``."""
    suffix = os.path.splitext(name)[1].lower()
    if not suffix.isascii() or len(suffix) > 10:
        suffix = ""
    return f"{digest[:32]}{suffix}"


def _fail(batch: ImportBatch, message: str) -> None:
    fail_batch(batch_id=batch.pk, message=message)


def fail_batch(*, batch_id: int, message: str) -> None:
    """A batch refused as a whole (unreadable, hostile, too many rows, crashed the worker): failed
    with the reason, and its file deleted once that is committed — a refused upload is not kept on
    disk; the batch row stays for the audit."""
    failed = (
        ImportBatch.objects.filter(pk=batch_id)
        .exclude(status__in=(BatchStatus.COMMITTED, BatchStatus.CANCELLED))
        .update(status=BatchStatus.FAILED, message=message, updated_at=timezone.now())
    )
    if failed:
        transaction.on_commit(lambda: _discard_file(batch_id))


def _discard_file(batch_id: int) -> None:
    name = ImportBatch.objects.filter(pk=batch_id).values_list("file", flat=True).first()
    if name:
        ImportBatch.file.field.storage.delete(name)
        ImportBatch.objects.filter(pk=batch_id).update(file="")


def _cancel_requested(batch_id: int) -> bool:
    return ImportBatch.objects.filter(pk=batch_id, cancel_requested=True).exists()


def _finish_cancel(batch: ImportBatch, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.CANCELLED, message=message, updated_at=timezone.now()
    )


def batch_cancel(*, actor: Actor, batch_id) -> ImportBatch:
    """Validated batches are dropped at once; a running one stops after its current chunk (what
    a commit has imported by then stays imported, whole orders only)."""
    batch = batch_get(actor=actor, batch_id=batch_id)
    if batch.status in (BatchStatus.UPLOADED, BatchStatus.VALIDATED):
        _finish_cancel(batch, _("Cancelled; nothing was imported."))
    elif batch.status in BUSY:
        ImportBatch.objects.filter(pk=batch.pk).update(cancel_requested=True)
    else:
        raise BatchNotCommittable(_("This import has already finished."))
    batch.refresh_from_db()
    return batch


# --- commit ---------------------------------------------------------------------------------------


def batch_commit(*, actor: Actor, batch_id, mode: str) -> ImportBatch:
    batch = batch_get(actor=actor, batch_id=batch_id)
    permissions.require(actor, KINDS[batch.kind].action)
    if mode not in CommitMode.values:
        raise ValidationFailed(
            {"mode": _("Choose one of: %(choices)s.") % {"choices": ", ".join(CommitMode.values)}}
        )
    if batch.status in BUSY:
        raise BatchBusy()
    if batch.status != BatchStatus.VALIDATED:
        raise BatchNotCommittable(details={"status": batch.status})
    if mode == CommitMode.ALL_OR_NOTHING and (batch.invalid or batch.blocked):
        raise BatchNotCommittable(
            _("%(n)d rows have errors: fix them, or import only the valid rows.")
            % {"n": batch.invalid + batch.blocked},
            details={"invalid": batch.invalid, "blocked": batch.blocked},
        )
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.VALIDATED).update(
        status=BatchStatus.COMMITTING,
        mode=mode,
        progress_done=0,
        progress_total=batch.valid,
        cancel_requested=False,
        updated_at=timezone.now(),
    )
    if not claimed:
        raise BatchBusy()
    if batch.valid > conf("IMPORT_BACKGROUND_ROWS", 2000):
        from . import tasks

        tasks.commit_import.enqueue(batch.pk)
    else:
        run_commit(batch.pk)
    batch.refresh_from_db()
    return batch


def _groups(batch: ImportBatch) -> list[list[int]]:
    """Ids of the rows still to import, one list per order (per row for other kinds)."""
    groups: dict[str, list[int]] = defaultdict(list)
    rows = ImportRow.objects.filter(batch=batch, status=RowStatus.VALID).order_by("row_no")
    # kinds whose rows make one record together (a routing's operations) group by their key
    by_key = batch.kind == "orders" or getattr(KINDS[batch.kind], "grouped", False)
    for pk, key, row_no in rows.values_list("pk", "key", "row_no"):
        groups[key if by_key else str(row_no)].append(pk)
    return list(groups.values())


def run_commit(batch_id: int, *, chunk: int | None = None) -> None:
    """Import the batch's valid rows. Resumable: rows already imported are not touched again."""
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    if batch.status != BatchStatus.COMMITTING:
        return
    actor = batch.user
    chunk = chunk or conf("IMPORT_COMMIT_CHUNK", 500)
    with translation.override(batch.language):
        if not permissions.can(actor, KINDS[batch.kind].action):
            _fail(batch, _("The importing user no longer has permission to import."))
            return
        groups = _groups(batch)
        if batch.mode == CommitMode.ALL_OR_NOTHING:
            try:
                with transaction.atomic():
                    for i in range(0, len(groups), chunk):
                        _commit_chunk(batch, actor, groups[i : i + chunk], strict=True)
                    _finish(batch)
            except (DomainError, IntegrityError) as exc:
                _fail(batch, _("Nothing was imported: %(e)s") % {"e": exc})
            return
        for i in range(0, len(groups), chunk):
            with transaction.atomic():
                if _cancel_requested(batch.pk):
                    _finish_cancel(
                        batch,
                        _("Stopped on request; the orders and rows imported so far stay."),
                    )
                    _recount(batch)
                    return
                _commit_chunk(batch, actor, groups[i : i + chunk], strict=False)
        with transaction.atomic():
            _finish(batch)


def _finish(batch: ImportBatch) -> None:
    _recount(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.COMMITTED, committed_at=timezone.now(), updated_at=timezone.now()
    )


def _recount(batch: ImportBatch) -> None:
    counts = dict(
        ImportRow.objects.filter(batch=batch)
        .values_list("status")
        .annotate(n=models_count())
        .values_list("status", "n")
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        valid=counts.get(RowStatus.VALID, 0),
        invalid=counts.get(RowStatus.INVALID, 0),
        blocked=counts.get(RowStatus.BLOCKED, 0),
        duplicate=counts.get(RowStatus.DUPLICATE, 0),
        committed=counts.get(RowStatus.COMMITTED, 0),
    )


def models_count():
    from django.db.models import Count

    return Count("id")


@dataclass(slots=True)
class _Row:
    """A staged row as the commit needs it (no model instance: 100,000 of them add up)."""

    pk: int
    row_no: int
    data: dict
    errors: list
    warnings: list
    status: str
    key: str


ROW_FIELDS = ("pk", "row_no", "data", "errors", "warnings", "status", "key")


def _commit_chunk(
    batch: ImportBatch, actor: Actor, groups: list[list[int]], *, strict: bool
) -> None:
    ids = [pk for g in groups for pk in g]
    qs = ImportRow.objects.filter(pk__in=ids, status=RowStatus.VALID).order_by()
    if not strict and transaction.get_connection().features.has_select_for_update:
        qs = qs.select_for_update()
    # rows a concurrent run imported meanwhile are gone from here
    rows = {v[0]: _Row(*v) for v in qs.values_list(*ROW_FIELDS)}
    live = [[rows[pk] for pk in g if pk in rows] for g in groups]
    live = [g for g in live if g]
    commit = {
        "orders": _commit_orders,
        "customers": _commit_service_rows,
        "materials": _commit_service_rows,
        "stock": _commit_stock,
    }.get(batch.kind) or KINDS[batch.kind].commit  # newer kinds commit their own rows
    created = commit(batch, actor, live, strict=strict)
    done = [r for g in live for r in g]
    committed = [r.pk for r in done if r.status == RowStatus.COMMITTED]
    for i in range(0, len(committed), 2000):
        ImportRow.objects.filter(pk__in=committed[i : i + 2000]).update(status=RowStatus.COMMITTED)
    for r in done:
        if r.status != RowStatus.COMMITTED:
            ImportRow.objects.filter(pk=r.pk).update(
                status=r.status, errors=r.errors, warnings=r.warnings
            )
    ImportBatch.objects.filter(pk=batch.pk).update(
        progress_done=F("progress_done") + len(done),
        committed=F("committed") + len(committed),
        created_objects=F("created_objects") + created,
        updated_at=timezone.now(),
    )


# --- recovery -------------------------------------------------------------------------------------


def resume_stalled() -> int:
    """Periodic job: re-run batches whose worker died (no progress for IMPORT_STALL_SECONDS)."""
    from . import tasks

    cutoff = timezone.now() - dt.timedelta(seconds=conf("IMPORT_STALL_SECONDS", 300))
    stalled = list(
        ImportBatch.objects.filter(status__in=BUSY, updated_at__lt=cutoff).values_list(
            "pk", "status"
        )[:20]
    )
    for pk, status in stalled:
        ImportBatch.objects.filter(pk=pk).update(updated_at=timezone.now())
        if status == BatchStatus.VALIDATING:
            tasks.validate_import.enqueue(pk)
        else:
            tasks.commit_import.enqueue(pk)
    return len(stalled)
