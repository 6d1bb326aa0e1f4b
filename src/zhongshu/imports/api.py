from django.http import HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from zhongshu.core.schemas import errors

from . import selectors, services
from .exceptions import BadFile
from .kinds.users import passwords_take
from .models import BatchStatus
from .schemas import BatchCreated, BatchOut, CommitIn, PasswordOut
from .workbooks import error_workbook

router = Router(tags=["imports"])
ERROR_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _out(batch, offset: int = 0, limit: int = ERROR_PAGE) -> dict:
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    items = selectors.error_items(batch, offset=offset, limit=limit + 1)
    rows = sorted({i["row"] for i in items})
    more = len(rows) > limit
    if more:
        items = [i for i in items if i["row"] in set(rows[:limit])]
    return {
        "id": batch.pk,
        "status": batch.status,
        "kind": batch.kind,
        "file": batch.original_name,
        "total": batch.total,
        "valid": batch.valid,
        "invalid": batch.invalid,
        "blocked": batch.blocked,
        "duplicate": batch.duplicate,
        "committed": batch.committed,
        "skipped": batch.skipped,
        "progress": batch.percent,
        "mode": batch.mode,
        "message": batch.message,
        "same_as": batch.same_as_id,
        "errors": items,
        "errors_offset": offset,
        "errors_next_offset": offset + limit if more else None,
    }


@router.post("", response={201: BatchCreated, **errors(401, 403, 422)})
def upload(request, kind: Form[str], file: File[UploadedFile]):
    """Upload a file (multipart: ``file``, ``kind``); small files come back validated."""
    if file.size and file.size > services.max_bytes():
        raise BadFile(f"{file.size} > {services.max_bytes()}", code="file_too_large")
    batch = services.batch_upload(
        actor=request.auth, content=file.read(), name=file.name or "upload", kind=kind
    )
    if batch.status == BatchStatus.FAILED:
        # unreadable, header-less or too many rows: refused, the batch row stays for the audit
        exc = BadFile(batch.message or BadFile.default_message)
        exc.details["batch"] = batch.pk
        raise exc
    return Status(
        201,
        {
            "id": batch.pk,
            "status": batch.status,
            "total": batch.total,
            "valid": batch.valid,
            "invalid": batch.invalid,
        },
    )


@router.get("/{int:batch_id}", response={200: BatchOut, **errors(401, 403, 404)})
def detail(request, batch_id: int, offset: int = 0, limit: int = ERROR_PAGE):
    """Status, counts and the row errors (paginated by rows: ``offset``, ``limit``)."""
    return _out(selectors.batch_get(actor=request.auth, batch_id=batch_id), offset, limit)


@router.post("/{int:batch_id}/commit", response={200: BatchOut, **errors(401, 403, 404, 409, 422)})
def commit(request, batch_id: int, payload: CommitIn):
    batch = services.batch_commit(actor=request.auth, batch_id=batch_id, mode=payload.mode)
    return _out(batch)


@router.post("/{int:batch_id}/cancel", response={200: BatchOut, **errors(401, 403, 404, 409)})
def cancel(request, batch_id: int):
    return _out(services.batch_cancel(actor=request.auth, batch_id=batch_id))


@router.get("/{int:batch_id}/passwords", response={200: list[PasswordOut], **errors(401, 403, 404)})
def passwords(request, batch_id: int):
    """The initial passwords of the users a users import created, to whoever imported them, once:
    they are erased as they are read."""
    return passwords_take(actor=request.auth, batch_id=batch_id)


@router.get("/{int:batch_id}/errors.xlsx", response={**errors(401, 403, 404)})
def errors_xlsx(request, batch_id: int):
    batch = selectors.batch_get(actor=request.auth, batch_id=batch_id)
    resp = HttpResponse(error_workbook(batch), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.xlsx"'
    return resp
