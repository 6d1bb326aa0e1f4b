"""The posting outbox: every stock move made here becomes an ERP document, exactly once.

``enqueue`` runs inside ``ledger.write`` — the same transaction as the move — and writes one
``ErpPosting`` per move that changes on-hand (receipt, issue, adjustment; never a sync
correction, which came from the ERP). The rows of one document share its ExternalCode: all the
issue moves of a shipment make one 销货单 (``ZS-SD-<shipment id>``); any other move is a
document of its own (``ZS-<kind>-<movement id>``). The code is stable across retries and unique
in the ERP. Codes are translated to the ERP's through the master data mapping when the document
is sent, so a mapping fixed after a refusal applies to the retry.

``drain`` (the ``inventory.erp_post`` job) posts the waiting documents in id order under the ERP
lease, which keeps posting and the stock sync from interleaving (a sync must never see a document
half-recorded). It works per document (every row sharing the ExternalCode moves together).
Outcomes, per document:

* accepted → ``posted`` with the ERP's number;
* "duplicate ExternalCode" → the ERP already has it (we crashed after it accepted): ``posted``;
* unavailable (down, timeout, garbage) → stays ``pending`` with back-off; the drain stops there so
  later documents never overtake it; after ``ALERT_AFTER`` attempts the warehouse is told once;
* credentials refused → stays ``pending``, the connection is flagged and the warehouse told once
  per outage; the drain stops;
* refused (unknown code, closed period) → ``failed`` with the ERP's message, the warehouse told
  once; the drain goes on with the next document. A person fixes the cause and retries.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor

from . import erp
from .erp import Document, DocumentKind, DocumentLine
from .erp.config import state
from .erp_models import ErpConnection, ErpMasterRecord, ErpPosting, PostingError, PostingStatus
from .models import MovementKind

if TYPE_CHECKING:
    from .ledger import Change, Plan
    from .models import StockMovement

LEASE_SECONDS = 120
BACKOFF_SECONDS = (15, 30, 60, 120, 300, 600, 1200, 1800)
ALERT_AFTER = 5
DRAIN_BUDGET_SECONDS = 60
PREFIXES = {
    DocumentKind.SALE_DELIVERY: "SD",
    DocumentKind.PURCHASE_RECEIPT: "PR",
    DocumentKind.OTHER_RECEIPT: "OR",
    DocumentKind.OTHER_ISSUE: "OI",
    DocumentKind.PRODUCTION_RECEIPT: "FR",
}


def document_kind(change: "Change") -> str | None:
    if change.on_hand == 0:
        return None
    if change.kind == MovementKind.RECEIPT:
        return change.document or DocumentKind.OTHER_RECEIPT
    if change.kind == MovementKind.ISSUE:
        return DocumentKind.SALE_DELIVERY if change.shipment_id else DocumentKind.OTHER_ISSUE
    if change.kind == MovementKind.ADJUST:
        return DocumentKind.OTHER_RECEIPT if change.on_hand > 0 else DocumentKind.OTHER_ISSUE
    return None


def external_code(kind: str, movement_id: int, shipment_id: int | None = None) -> str:
    """The document's ExternalCode: per shipment for a 销货单, else per movement."""
    prefix = getattr(settings, "ERP_CODE_PREFIX", "ZS")
    if kind == DocumentKind.SALE_DELIVERY and shipment_id:
        return f"{prefix}-{PREFIXES[kind]}-{shipment_id:08d}"
    return f"{prefix}-{PREFIXES[kind]}-{movement_id:08d}"


def enqueue(plan: "Plan", movements: list["StockMovement"]) -> list[ErpPosting]:
    """Queue the ERP documents of the moves just written (caller's transaction)."""
    from zhongshu.catalog.models import Material
    from zhongshu.orders.models import Order

    from .models import Warehouse

    todo = [(c, m) for c, m in zip(plan.changes, movements, strict=True) if document_kind(c)]
    if not todo:
        return []
    materials = {m.id: m for m in Material.objects.filter(id__in={m.material_id for _c, m in todo})}
    warehouses = dict(
        Warehouse.objects.filter(id__in={m.warehouse_id for _c, m in todo}).values_list(
            "id", "code"
        )
    )
    customers = dict(
        Order.objects.filter(id__in={c.order_id for c, _m in todo if c.order_id}).values_list(
            "id", "customer__code"
        )
    )
    today = timezone.localdate().isoformat()
    rows = []
    for change, movement in todo:
        kind = document_kind(change)
        assert kind is not None  # ``todo`` holds only the moves that make a document
        material = materials[movement.material_id]
        rows.append(
            ErpPosting(
                external_code=external_code(kind, movement.id, change.shipment_id),
                document=kind,
                movement_id=movement.id,
                level_id=movement.level_id,
                material_id=movement.material_id,
                warehouse_id=movement.warehouse_id,
                on_hand_delta=change.on_hand,
                payload={
                    "date": today,
                    "warehouse": warehouses[movement.warehouse_id],
                    "material": material.code,
                    "unit": getattr(material, "unit", "") or "",
                    "quantity": str(abs(change.on_hand)),
                    "customer": customers.get(change.order_id, "") if change.order_id else "",
                    "memo": change.reason[:200],
                },
            )
        )
    return ErpPosting.objects.bulk_create(rows)


def to_document(
    rows: list[ErpPosting], mapping: dict[str, dict[str, str]] | None = None
) -> Document:
    """The one ERP document of these rows (sharing an ExternalCode), with the ERP's codes.

    Lines of the same material and warehouse are summed; the header warehouse is the first
    line's (T+ also takes a warehouse per line, which a shipment from two warehouses needs)."""
    mapping = mapping if mapping is not None else erp_codes()
    first = rows[0]
    p = first.payload

    def code(kind: str, local: str) -> str:
        return mapping[kind].get(local, local)

    merged: dict[tuple[str, str], tuple[str, Decimal]] = {}
    for row in rows:
        key = (row.payload["warehouse"], row.payload["material"])
        if key in merged:
            merged[key] = (merged[key][0], merged[key][1] + Decimal(row.payload["quantity"]))
        else:
            merged[key] = (row.payload.get("unit", ""), Decimal(row.payload["quantity"]))
    return Document(
        kind=first.document,
        external_code=first.external_code,
        warehouse=code("warehouse", p["warehouse"]),
        date=p["date"],
        customer=code("customer", p.get("customer", "")),
        memo=p.get("memo", "") or first.external_code,
        lines=[
            DocumentLine(code("material", m), qty, unit, warehouse=code("warehouse", w))
            for (w, m), (unit, qty) in merged.items()
        ],
    )


def erp_codes() -> dict[str, dict[str, str]]:
    """Per master kind, local code → ERP code, where someone mapped them differently."""
    out: dict[str, dict[str, str]] = {kind: {} for kind in erp.MASTER_KINDS}
    rows = ErpMasterRecord.objects.exclude(local_code="").exclude(local_code=F("code"))
    for kind, code, local in rows.values_list("kind", "code", "local_code"):
        out.setdefault(kind, {})[local] = code
    return out


def local_codes(kind: str) -> dict[str, str | None]:
    """ERP code → local code for the ERP records mapped otherwise (None: mapped to nothing)."""
    rows = ErpMasterRecord.objects.filter(kind=kind).exclude(local_code=F("code"))
    return {code: (local or None) for code, local in rows.values_list("code", "local_code")}


def unposted_by_level(level_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """Per level, the signed on-hand effect of the moves the ERP does not have yet."""
    qs = ErpPosting.objects.exclude(status=PostingStatus.POSTED)
    if level_ids is not None:
        qs = qs.filter(level_id__in=list(level_ids))
    return {
        row["level_id"]: row["total"]
        for row in qs.values("level_id").order_by().annotate(total=Sum("on_hand_delta"))
    }


# --- the lease ----------------------------------------------------------------------------------


def acquire_lease(*, now: dt.datetime | None = None, seconds: int = LEASE_SECONDS) -> str | None:
    """Take the ERP lease (posting and syncing never interleave); None when someone holds it."""
    now = now or timezone.now()
    state()
    token = uuid.uuid4().hex
    taken = (
        ErpConnection.objects.filter(pk=1)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + dt.timedelta(seconds=seconds), lease_owner=token)
    )
    return token if taken else None


def release_lease(token: str) -> None:
    ErpConnection.objects.filter(pk=1, lease_owner=token).update(lease_until=None, lease_owner="")


# --- the drain ----------------------------------------------------------------------------------


@dataclass
class DrainResult:
    posted: int = 0
    duplicates: int = 0
    failed: int = 0
    stopped: str = ""  # why the drain stopped before the queue was empty
    numbers: list[str] = field(default_factory=list)


def drain(
    *, connector: erp.Connector | None = None, now: dt.datetime | None = None, limit: int = 1000
) -> DrainResult:
    """Post waiting documents in order; bounded by ``limit`` and the time budget."""
    result = DrainResult()
    if not erp.connected() and connector is None:
        return result
    now = now or timezone.now()
    token = acquire_lease(now=now)
    if token is None:
        result.stopped = "busy"
        return result
    started = timezone.now()
    try:
        conn = connector or erp.connector(timeout=10.0)
        mapping = erp_codes()
        with conn:
            for _i in range(limit):
                if (timezone.now() - started).total_seconds() > DRAIN_BUDGET_SECONDS:
                    result.stopped = "budget"
                    break
                first = (
                    ErpPosting.objects.filter(status=PostingStatus.PENDING).order_by("id").first()
                )
                if first is None:
                    break
                if first.next_attempt_at and first.next_attempt_at > now:
                    result.stopped = "backoff"
                    break
                rows = list(
                    ErpPosting.objects.filter(external_code=first.external_code)
                    .exclude(status=PostingStatus.POSTED)
                    .order_by("id")
                )
                if not _post_one(conn, rows, mapping, now, result):
                    break
    finally:
        release_lease(token)
    return result


def _post_one(
    conn: erp.Connector,
    rows: list[ErpPosting],
    mapping: dict[str, dict[str, str]],
    now: dt.datetime,
    result: DrainResult,
) -> bool:
    """Post one document (its rows share the ExternalCode); False when the drain has to stop."""
    posting = rows[0]
    ids = [r.pk for r in rows]
    ErpPosting.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1)
    posting.attempts += 1
    try:
        number = conn.post_document(to_document(rows, mapping))
    except erp.ErpDuplicate:
        try:
            found = conn.find_document(posting.external_code, kind=posting.document)
            number = found or posting.external_code
        except erp.ErpUnavailable:
            number = posting.external_code
        result.duplicates += 1
    except erp.ErpAuthFailed as exc:
        _retry_later(posting, ids, PostingError.AUTH, str(exc), now)
        auth_failed(str(exc))
        result.stopped = "auth"
        return False
    except erp.ErpUnavailable as exc:
        _retry_later(posting, ids, PostingError.UNAVAILABLE, str(exc), now)
        result.stopped = "unavailable"
        return False
    except erp.ErpRejected as exc:
        _refused(posting, ids, str(exc))
        result.failed += 1
        return True
    record_posted(posting, number)
    result.posted += 1
    result.numbers.append(number)
    return True


IN_DOUBT_LIMIT = 50


def resolve_in_doubt(conn: erp.Connector) -> int:
    """Ask the ERP about documents whose last send went unanswered (timeout, 5xx, lost reply):
    the ERP may hold them already, and then counting them as unposted would count them twice.
    Found ones are recorded as posted. Runs under the lease, before a sync reads stock; raises
    ``ErpUnavailable`` when the ERP cannot say (the sync then keeps the old figures)."""
    rows = ErpPosting.objects.filter(
        status=PostingStatus.PENDING, error_kind=PostingError.UNAVAILABLE
    ).order_by("id")
    codes = dict(rows.values_list("external_code", "document")[: IN_DOUBT_LIMIT * 4])
    found = 0
    for code, kind in list(codes.items())[:IN_DOUBT_LIMIT]:
        number = conn.find_document(code, kind=kind)
        if number:
            posting = ErpPosting.objects.filter(external_code=code).first()
            assert posting is not None  # its code was read from these rows just above
            record_posted(posting, number)
            found += 1
    return found


def record_posted(posting: ErpPosting, number: str) -> None:
    """Mark every row of the document posted (they share the ExternalCode)."""
    ErpPosting.objects.filter(external_code=posting.external_code).exclude(
        status=PostingStatus.POSTED
    ).update(
        status=PostingStatus.POSTED,
        erp_number=number[:60],
        posted_at=timezone.now(),
        error_kind="",
        last_error="",
        next_attempt_at=None,
    )
    auth_ok()


def _retry_later(
    posting: ErpPosting, ids: list[int], kind: str, message: str, now: dt.datetime
) -> None:
    wait = BACKOFF_SECONDS[min(posting.attempts, len(BACKOFF_SECONDS)) - 1]
    ErpPosting.objects.filter(pk__in=ids).update(
        error_kind=kind, last_error=message[:500], next_attempt_at=now + dt.timedelta(seconds=wait)
    )
    if kind == PostingError.UNAVAILABLE and posting.attempts >= ALERT_AFTER:
        _alert(
            ids,
            _("T+ has not accepted stock documents for a while"),
            _("%(code)s waits: %(msg)s") % {"code": posting.external_code, "msg": message[:200]},
            key=f"erp:stuck:{posting.external_code}",
        )


def _refused(posting: ErpPosting, ids: list[int], message: str) -> None:
    ErpPosting.objects.filter(pk__in=ids).update(
        status=PostingStatus.FAILED, error_kind=PostingError.REJECTED, last_error=message[:500]
    )
    _alert(
        ids,
        _("T+ refused a stock document"),
        _("%(code)s: %(msg)s") % {"code": posting.external_code, "msg": message[:200]},
        key=f"erp:refused:{posting.external_code}:{posting.attempts}",
    )


def _alert(ids: list[int], subject: str, body: str, *, key: str) -> None:
    from zhongshu.notify.services import notify

    with transaction.atomic():
        notify(
            roles=("warehouse",),
            subject=subject,
            body=body,
            link="/inventory/reconciliation/",
            dedupe_key=key,
            source="inventory.erp",
        )
    if ids:
        ErpPosting.objects.filter(pk__in=ids).update(alerted=True)


def auth_failed(message: str) -> None:
    """The ERP refused the credentials: flag the connection; tell the warehouse once per outage."""
    now = timezone.now()
    first = ErpConnection.objects.filter(pk=1, auth_failed_at__isnull=True).update(
        auth_failed_at=now, auth_error=message[:300]
    )
    if first:
        _alert(
            [],
            _("T+ refused the credentials: stock figures are no longer updated"),
            message[:300],
            key=f"erp:auth:{now.isoformat()}",
        )


def auth_ok() -> None:
    ErpConnection.objects.filter(pk=1, auth_failed_at__isnull=False).update(
        auth_failed_at=None, auth_error=""
    )


# --- services -----------------------------------------------------------------------------------


@transaction.atomic
def posting_retry(*, actor: Actor, posting_id: int) -> ErpPosting:
    """Send a failed (or backed-off) document again at the next drain."""
    from zhongshu.core.errors import NotFound

    permissions.require(actor, "inventory.erp_retry")
    posting = ErpPosting.objects.select_for_update().filter(pk=posting_id).first()
    if posting is None:
        raise NotFound()
    if posting.status == PostingStatus.POSTED:
        from .exceptions import AlreadyPosted

        raise AlreadyPosted()
    # the whole document goes again: every row sharing its ExternalCode
    ErpPosting.objects.filter(external_code=posting.external_code).exclude(
        status=PostingStatus.POSTED
    ).update(status=PostingStatus.PENDING, next_attempt_at=None)
    posting.refresh_from_db()
    return posting
