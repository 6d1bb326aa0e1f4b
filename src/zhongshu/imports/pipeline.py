"""Checking a file in chunks: read → normalise → validate → stage, ``chunk_rows()`` rows at a time,
so memory stays bounded however long the file is.

A kind validates the rows it is given (``Kind.validate``); what reaches across rows — a code
repeated in the file, an order's lines, a product's routing — reaches only rows of the same
``Kind.scope``. So each chunk is validated and staged on its own, and the scopes met in more than
one chunk (an order whose lines straddle a chunk's end, a code repeated far below) are validated
once more at the end with all their rows together, read back from the staged rows. The running
state is a hash per row and a set of the scopes' hashes, not the rows. The results are the same
as validating the whole file at once.
"""

import json
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhongshu.core.bulk import insert_rows

from .kinds import Kind, Staged
from .models import ImportBatch, ImportRow
from .parsing import cell_json

STAGE_CHUNK = 2000


@dataclass
class Tally:
    """What the staged rows add up to: rows per status, rows with warnings."""

    status: Counter = field(default_factory=Counter)
    warned: int = 0
    total: int = 0

    def add(self, rows: Iterable[Staged]) -> None:
        for s in rows:
            self.status[str(s.status)] += 1
            self.warned += bool(s.warnings)
            self.total += 1

    def remove(self, status: str, warnings: list) -> None:
        self.status[status] -= 1
        self.warned -= bool(warnings)
        self.total -= 1


@dataclass
class Run:
    """One validation of a batch: who, what kind, the sheet's headers and columns."""

    batch: ImportBatch
    kind: Kind
    headers: list[str]
    columns: dict[str, int]
    size: int
    tally: Tally = field(default_factory=Tally)

    def validate(self, rows: list[Staged]) -> None:
        self.kind.validate(self.batch.user, rows, self.headers, self.columns)


class Cancelled(Exception):
    """The user asked to stop while the file was being checked."""


def staged(rows: Iterable[tuple[int, list]]) -> Iterator[Staged]:
    return (Staged(no, [cell_json(c) for c in cells], {}, [], []) for no, cells in rows)


def check_and_stage(run: Run, rows: Iterable[tuple[int, list]]) -> None:
    """Validate and stage ``rows`` (row number, cells) chunk by chunk, then the scopes that
    straddled chunks again. Raises ``Cancelled`` between chunks when asked to stop, and whatever
    reading the rows raises (``BadFile``)."""
    hashes, numbers = array("q"), array("q")  # per row: its scope's hash, its row number
    earlier: set[int] = set()
    split: set[int] = set()
    source = staged(rows)
    while part := list(islice(source, run.size)):
        run.validate(part)
        here: set[int] = set()
        for s in part:
            scope = run.kind.scope(s)
            h = (hash(scope) or 1) if scope else 0  # 0: no scope
            hashes.append(h)
            numbers.append(s.row_no)
            if h:
                here.add(h)
        split |= here & earlier
        earlier |= here
        _stage_chunk(run, part)
    del earlier
    if split:
        _revalidate(run, _scope_rows(hashes, numbers, split))


def _scope_rows(hashes: array, numbers: array, split: set[int]) -> list[list[int]]:
    """The row numbers of each split scope."""
    by_scope: dict[int, list[int]] = defaultdict(list)
    for h, no in zip(hashes, numbers, strict=True):
        if h in split:
            by_scope[h].append(no)
    return list(by_scope.values())


def _revalidate(run: Run, scopes: list[list[int]]) -> None:
    """The split scopes validated again, whole scopes packed into at most ``run.size`` rows (a
    larger scope alone)."""
    bucket: list[int] = []
    for numbers in scopes:
        if bucket and len(bucket) + len(numbers) > run.size:
            _revalidate_rows(run, sorted(bucket))
            bucket = []
        bucket.extend(numbers)
    if bucket:
        _revalidate_rows(run, sorted(bucket))


def _revalidate_rows(run: Run, numbers: list[int]) -> None:
    """Rows already staged, validated again together: replaced by the new results."""
    batch_id = run.batch.pk
    with transaction.atomic():
        _check_cancel(run)
        old: list[tuple] = []
        for i in range(0, len(numbers), STAGE_CHUNK):
            old.extend(
                ImportRow.objects.filter(batch_id=batch_id, row_no__in=numbers[i : i + STAGE_CHUNK])
                .order_by()
                .values_list("row_no", "raw", "status", "warnings")
            )
        old.sort(key=lambda v: v[0])
        for _no, _raw, status, warnings in old:
            run.tally.remove(status, warnings)
        rows = [Staged(no, raw, {}, [], []) for no, raw, _s, _w in old]
        del old
        run.validate(rows)
        for i in range(0, len(numbers), STAGE_CHUNK):
            ImportRow.objects.filter(
                batch_id=batch_id, row_no__in=numbers[i : i + STAGE_CHUNK]
            ).delete()
        _stage_rows(batch_id, rows)
        run.tally.add(rows)


def _check_cancel(run: Run) -> None:
    if ImportBatch.objects.filter(pk=run.batch.pk, cancel_requested=True).exists():
        raise Cancelled()


def _stage_chunk(run: Run, part: list[Staged]) -> None:
    with transaction.atomic():
        _check_cancel(run)
        for i in range(0, len(part), STAGE_CHUNK):
            _stage_rows(run.batch.pk, part[i : i + STAGE_CHUNK])
        ImportBatch.objects.filter(pk=run.batch.pk).update(
            progress_done=F("progress_done") + len(part), updated_at=timezone.now()
        )
    run.tally.add(part)


def _stage_rows(batch_id: int, part: list[Staged]) -> None:
    """One bulk insert of staged rows (``COPY`` on PostgreSQL). The values are plain JSON already
    (validation normalised them), so this skips the ORM's per-field preparation — the bulk of
    staging time on 100,000 rows."""
    f = {x.name: str(x.column) for x in ImportRow._meta.concrete_fields}
    cols = [f[n] for n in ("batch", "row_no", "raw", "data", "errors", "warnings", "status", "key")]
    dumps = json.dumps
    insert_rows(
        ImportRow._meta.db_table,
        cols,
        [
            (
                batch_id,
                s.row_no,
                dumps(s.raw),
                dumps(s.data),
                dumps(s.errors),
                dumps(s.warnings),
                str(s.status),
                s.key[:200],
            )
            for s in part
        ],
    )
