"""Reads for the reconciliation with the ERP: per level our figure, T+'s, the documents not yet
in T+, the failed ones and the differences nobody explained. Stock is not regional: whoever may
see the reconciliation sees all of it."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor

from .erp.config import current, state
from .erp_models import ErpDifference, ErpPosting, PostingStatus
from .models import ZERO, StockLevel, TplusSync

LIMIT = 500


def connection_status() -> dict[str, Any]:
    conf = current()
    row = state()
    last = TplusSync.objects.filter(finished_at__isnull=False).order_by("-id").first()
    last_ok = TplusSync.objects.filter(ok=True).order_by("-id").first()
    stale_after = settings.TPLUS_STALE_AFTER
    synced_at = last_ok.finished_at if last_ok else None
    return {
        "configured": bool(conf.base_url),
        "source": conf.source,
        "base_url": conf.base_url,
        "auth_failed_at": row.auth_failed_at,
        "auth_error": row.auth_error,
        "last_sync_at": last.finished_at if last else None,
        "last_sync_ok": bool(last and last.ok),
        "last_sync_error": last.error if last and not last.ok else "",
        "synced_at": synced_at,
        "stale": synced_at is None or (timezone.now() - synced_at).total_seconds() > stale_after,
        "pending": ErpPosting.objects.filter(status=PostingStatus.PENDING).count(),
        "failed": ErpPosting.objects.filter(status=PostingStatus.FAILED).count(),
    }


def reconciliation(*, actor: Actor, q: str = "", problems_only: bool = False) -> dict[str, Any]:
    permissions.require(actor, "inventory.reconciliation")
    postings = (
        ErpPosting.objects.exclude(status=PostingStatus.POSTED)
        .values("level_id")
        .order_by()
        .annotate(
            unposted=Sum("on_hand_delta"),
            pending=Count("id", filter=Q(status=PostingStatus.PENDING)),
            failed=Count("id", filter=Q(status=PostingStatus.FAILED)),
        )
    )
    by_level = {row["level_id"]: row for row in postings}
    diffs: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in ErpDifference.objects.values("level_id").order_by().annotate(t=Sum("difference")):
        diffs[row["level_id"]] = row["t"]
    levels = StockLevel.objects.select_related("material", "warehouse").filter(
        Q(synced_at__isnull=False) | Q(id__in=set(by_level) | set(diffs))
    )
    if q:
        levels = levels.filter(Q(material__code__icontains=q) | Q(material__name__icontains=q))
    items: list[dict[str, Any]] = []
    for level in levels.order_by("material__code", "warehouse__code")[:LIMIT]:
        p = by_level.get(level.id)
        unposted = (p["unposted"] if p else None) or ZERO
        expected = level.on_hand - unposted  # what T+ should hold once it has our documents
        gap = (level.tplus_on_hand - expected) if level.tplus_on_hand is not None else None
        item = {
            "material": level.material.code,
            "material_name": level.material.name,
            "warehouse": level.warehouse.code,
            "on_hand": level.on_hand,
            "reserved": level.reserved,
            "available": level.on_hand - level.reserved,
            "tplus_on_hand": level.tplus_on_hand,
            "synced_at": level.synced_at,
            "unposted": unposted,
            "pending_documents": p["pending"] if p else 0,
            "failed_documents": p["failed"] if p else 0,
            "unexplained": diffs.get(level.id, ZERO),
            "gap": gap,
            "oversold_risk": level.oversold_risk,
        }
        if problems_only and not (item["failed_documents"] or gap or item["oversold_risk"]):
            continue
        items.append(item)
    return {
        "connection": connection_status(),
        "items": items,
        "failed": list(failed_postings()),
        "differences": list(recent_differences()),
    }


def failed_postings(limit: int = 200) -> QuerySet[ErpPosting]:
    qs = ErpPosting.objects.select_related("material", "warehouse").filter(
        Q(status=PostingStatus.FAILED) | (Q(status=PostingStatus.PENDING) & ~Q(error_kind=""))
    )
    return qs.order_by("id")[:limit]


def recent_differences(limit: int = 200) -> QuerySet[ErpDifference]:
    return ErpDifference.objects.select_related("material", "warehouse").order_by("-id")[:limit]
