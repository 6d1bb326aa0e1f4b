"""The posting outbox: every stock move made here becomes an ERP document, exactly once.

``enqueue`` runs inside ``ledger.write`` — the same transaction as the move — and writes one
``ErpPosting`` per move that changes on-hand (receipt, issue, adjustment; never a sync
correction, which came from the ERP). Its ExternalCode is derived from the movement id, so it is
stable across retries and unique in the ERP.

``drain`` (the ``inventory.erp_post`` job) posts the waiting documents in id order under the ERP
lease, which keeps posting and the stock sync from interleaving (a sync must never see a document
half-recorded). Outcomes, per document:

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
from dataclasses import dataclass, field
from decimal import Decimal

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
from .models import (
    ErpConnection,
    ErpPosting,
    MovementKind,
    PostingError,
    PostingStatus,
)

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


def document_kind(change) -> str | None:
    if change.on_hand == 0:
        return None
    if change.kind == MovementKind.RECEIPT:
        return change.document or DocumentKind.OTHER_RECEIPT
    if change.kind == MovementKind.ISSUE:
        return DocumentKind.SALE_DELIVERY if change.shipment_id else DocumentKind.OTHER_ISSUE
    if change.kind == MovementKind.ADJUST:
        return DocumentKind.OTHER_RECEIPT if change.on_hand > 0 else DocumentKind.OTHER_ISSUE
    return None


def external_code(kind: str, movement_id: int) -> str:
    prefix = getattr(settings, "ERP_CODE_PREFIX", "ZS")
    return f"{prefix}-{PREFIXES[kind]}-{movement_id:08d}"


def enqueue(plan, movements) -> list[ErpPosting]:
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
        material = materials[movement.material_id]
        rows.append(
            ErpPosting(
                external_code=external_code(kind, movement.id),
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
                    "customer": customers.get(change.order_id, ""),
                    "memo": change.reason[:200],
                },
            )
        )
    return ErpPosting.objects.bulk_create(rows)


def to_document(posting: ErpPosting) -> Document:
    p = posting.payload
    return Document(
        kind=posting.document,
        external_code=posting.external_code,
        warehouse=p["warehouse"],
        date=p["date"],
        customer=p.get("customer", ""),
        memo=p.get("memo", "") or posting.external_code,
        lines=[DocumentLine(p["material"], Decimal(p["quantity"]), p.get("unit", ""))],
    )


def unposted_by_level(level_ids=None) -> dict[int, Decimal]:
    """Per level, the signed on-hand effect of the moves the ERP does not have yet."""
    qs = ErpPosting.objects.exclude(status=PostingStatus.POSTED)
    if level_ids is not None:
        qs = qs.filter(level_id__in=list(level_ids))
    return {
        row["level_id"]: row["total"]
        for row in qs.values("level_id").order_by().annotate(total=Sum("on_hand_delta"))
    }


# --- the lease ----------------------------------------------------------------------------------


def acquire_lease(*, now=None, seconds: int = LEASE_SECONDS) -> str | None:
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


def drain(*, connector=None, now=None, limit: int = 1000) -> DrainResult:
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
        with conn:
            for _i in range(limit):
                if (timezone.now() - started).total_seconds() > DRAIN_BUDGET_SECONDS:
                    result.stopped = "budget"
                    break
                posting = (
                    ErpPosting.objects.filter(status=PostingStatus.PENDING).order_by("id").first()
                )
                if posting is None:
                    break
                if posting.next_attempt_at and posting.next_attempt_at > now:
                    result.stopped = "backoff"
                    break
                if not _post_one(conn, posting, now, result):
                    break
    finally:
        release_lease(token)
    return result


def _post_one(conn, posting: ErpPosting, now, result: DrainResult) -> bool:
    """Post one document; False when the drain has to stop here."""
    ErpPosting.objects.filter(pk=posting.pk).update(attempts=F("attempts") + 1)
    posting.attempts += 1
    try:
        number = conn.post_document(to_document(posting))
    except erp.ErpDuplicate:
        try:
            number = conn.find_document(posting.external_code) or posting.external_code
        except erp.ErpUnavailable:
            number = posting.external_code
        result.duplicates += 1
    except erp.ErpAuthFailed as exc:
        _retry_later(posting, PostingError.AUTH, str(exc), now)
        auth_failed(str(exc))
        result.stopped = "auth"
        return False
    except erp.ErpUnavailable as exc:
        _retry_later(posting, PostingError.UNAVAILABLE, str(exc), now)
        result.stopped = "unavailable"
        return False
    except erp.ErpRejected as exc:
        _refused(posting, str(exc))
        result.failed += 1
        return True
    record_posted(posting, number)
    result.posted += 1
    result.numbers.append(number)
    return True


def record_posted(posting: ErpPosting, number: str) -> None:
    ErpPosting.objects.filter(pk=posting.pk).update(
        status=PostingStatus.POSTED,
        erp_number=number[:60],
        posted_at=timezone.now(),
        error_kind="",
        last_error="",
        next_attempt_at=None,
    )
    auth_ok()


def _retry_later(posting: ErpPosting, kind: str, message: str, now) -> None:
    wait = BACKOFF_SECONDS[min(posting.attempts, len(BACKOFF_SECONDS)) - 1]
    ErpPosting.objects.filter(pk=posting.pk).update(
        error_kind=kind, last_error=message[:500], next_attempt_at=now + dt.timedelta(seconds=wait)
    )
    if kind == PostingError.UNAVAILABLE and posting.attempts >= ALERT_AFTER:
        _alert(
            posting,
            _("T+ has not accepted stock documents for a while"),
            _("%(code)s waits: %(msg)s") % {"code": posting.external_code, "msg": message[:200]},
            key=f"erp:stuck:{posting.pk}",
        )


def _refused(posting: ErpPosting, message: str) -> None:
    ErpPosting.objects.filter(pk=posting.pk).update(
        status=PostingStatus.FAILED, error_kind=PostingError.REJECTED, last_error=message[:500]
    )
    _alert(
        posting,
        _("T+ refused a stock document"),
        _("%(code)s: %(msg)s") % {"code": posting.external_code, "msg": message[:200]},
        key=f"erp:refused:{posting.pk}:{posting.attempts}",
    )


def _alert(posting: ErpPosting | None, subject: str, body: str, *, key: str) -> None:
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
    if posting is not None:
        ErpPosting.objects.filter(pk=posting.pk).update(alerted=True)


def auth_failed(message: str) -> None:
    """The ERP refused the credentials: flag the connection; tell the warehouse once per outage."""
    now = timezone.now()
    first = ErpConnection.objects.filter(pk=1, auth_failed_at__isnull=True).update(
        auth_failed_at=now, auth_error=message[:300]
    )
    if first:
        _alert(
            None,
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
def posting_retry(*, actor: Actor, posting_id) -> ErpPosting:
    """Send a failed (or backed-off) document again at the next drain."""
    from zhongshu.core.errors import NotFound

    permissions.require(actor, "inventory.erp_retry")
    posting = ErpPosting.objects.select_for_update().filter(pk=posting_id).first()
    if posting is None:
        raise NotFound()
    if posting.status == PostingStatus.POSTED:
        from .exceptions import AlreadyPosted

        raise AlreadyPosted()
    posting.status = PostingStatus.PENDING
    posting.next_attempt_at = None
    posting.save(update_fields=["status", "next_attempt_at"])
    return posting
