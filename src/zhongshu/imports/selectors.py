"""Reads: a user sees their own batches; administrators see all of them."""

from django.db.models import QuerySet

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor

from .models import ImportBatch, ImportRow, RowStatus


def batch_list(*, actor: Actor) -> QuerySet:
    qs = ImportBatch.objects.select_related("user").defer("headers", "columns")
    if permissions.can(actor, "imports.view_all"):
        return qs
    return qs.filter(user=actor)


def batch_get(*, actor: Actor, batch_id) -> ImportBatch:
    return permissions.get_in_scope(batch_list(actor=actor).defer(None), pk=batch_id)


def problem_rows(batch: ImportBatch) -> QuerySet:
    return ImportRow.objects.filter(
        batch=batch, status__in=[RowStatus.INVALID, RowStatus.BLOCKED]
    ).order_by("row_no")


def error_items(batch: ImportBatch, *, offset: int, limit: int) -> list[dict]:
    rows = ImportRow.objects.filter(batch=batch, status=RowStatus.INVALID).order_by("row_no")
    out: list[dict] = []
    for r in rows.only("row_no", "errors")[offset : offset + limit]:
        out.extend(
            {"row": r.row_no, "column": e["column"], "message": e["message"]} for e in r.errors
        )
    return out
