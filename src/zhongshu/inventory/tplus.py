"""The stock sync with the ERP (Chanjet/Yonyou T+), which owns on-hand when connected.

T+ is asked for current stock through the connector (``erp/tplus.py``), page by page. Whatever
goes wrong — timeout, refused connection, non-2xx, a body that is not the expected JSON — is one
``ErpUnavailable`` (a ``TplusUnavailable``); callers keep serving the last synced figures and mark
them stale.

T+'s codes are read through the master data mapping (``ErpMasterRecord``): a T+ code mapped to
another local code counts for that one. What a sync writes, per (material, warehouse): our figure should be T+'s ``ExistingQuantity``
(summed over batches) plus the moves made here that T+ does not have yet (the unposted postings
of the outbox: issues lower it, receipts raise it). When on-hand already equals that, nothing is
written — a sync never undoes a move made here, and never shows stock a pending shipment took.
When it differs, stock moved in T+ directly: the difference is booked as a ``sync_correction``
movement and recorded as an ``ErpDifference`` (with who/when when T+ tells). ``reserved`` is never
touched. When the result is less than is reserved here (or below zero), ``on_hand`` is lowered
only down to ``reserved``, the level is flagged ``oversold_risk`` and the raw T+ figure kept in
``tplus_on_hand``: confirmed orders keep their stock on paper, available shows 0, and the stock
page raises the alarm.

Posting and syncing take the same lease, so a sync never sees a document T+ accepted but we have
not recorded yet; and a document whose last send got no answer (timeout, 5xx, a lost reply) is
looked up in T+ by its ExternalCode before the stock is read, so it is never counted twice.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.catalog.models import Material

from . import erp, ledger, posting
from .erp import StockRow
from .erp.tplus import QUERY_PATH, TplusConnector
from .erp_models import ErpDifference
from .exceptions import TplusUnavailable
from .ledger import Change
from .models import ZERO, MovementKind, StockLevel, TplusSync, Warehouse

__all__ = ["QUERY_PATH", "StockRow", "TplusClient", "TplusUnavailable", "tplus_sync"]

SYNC_TIMEOUT = 30.0
# After a failed on-demand refresh, order entry stops asking T+ for a while instead of making
# every keystroke wait for the timeout.
BACKOFF_SECONDS = 30
REFRESH_MIN_AGE = 60  # seconds: a figure this fresh is not fetched again
_BACKOFF_KEY = "inventory:tplus:down-until"

TplusClient = TplusConnector  # the name callers and tests know


def configured() -> bool:
    return erp.connected()


# --- the sync -------------------------------------------------------------------------------------


def tplus_sync(
    *,
    material: str | None = None,
    timeout: float | None = None,
    client: erp.Connector | None = None,
) -> TplusSync:
    """Fetch current stock from T+ and apply it; one ``TplusSync`` row records the run.

    ``material=None`` is the full scheduled sync; a code refreshes just that material (order
    entry). Never raises for T+ trouble: the run is recorded as failed and the old figures stay.
    """
    run = TplusSync.objects.create(scope=f"material:{material}" if material else "full")
    token = posting.acquire_lease()
    if token is None:
        return _failed(run, _("documents are being posted to T+ right now; try again shortly"))
    try:
        client = client or TplusClient(timeout=timeout if timeout is not None else SYNC_TIMEOUT)
        try:
            # a document sent without an answer may be in T+ already: settle that first, or
            # it would count both in T+'s figure and as unposted
            posting.resolve_in_doubt(client)
            rows = client.current_stock(material=material)
        except erp.ErpAuthFailed as exc:
            posting.auth_failed(str(exc))
            return _failed(run, str(exc))
        except TplusUnavailable as exc:
            return _failed(run, str(exc))
        posting.auth_ok()
        run.rows = len(rows)
        run.changed = _apply(rows, run)
    finally:
        posting.release_lease(token)
    run.ok = True
    run.finished_at = timezone.now()
    run.save(update_fields=["rows", "changed", "ok", "finished_at"])
    return run


def _failed(run: TplusSync, message: str) -> TplusSync:
    run.error = message[:500]
    run.finished_at = timezone.now()
    run.save(update_fields=["error", "finished_at"])
    return run


def _levels_for(totals: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Level ids per (warehouse id, material id) of the T+ rows we know the material of."""
    materials = dict(
        Material.objects.filter(code__in={m for _w, m in totals}).values_list("code", "id")
    )
    # a warehouse or material T+ has and Zhongshu does not is left out, never created here on
    # the fly: the master data page lists it, and someone creates or maps it on purpose
    warehouses = {w.code: w for w in Warehouse.objects.filter(code__in={w for w, _m in totals})}
    keys = {
        (warehouses[w].id, materials[m]): (w, m)
        for (w, m) in totals
        if m in materials and w in warehouses
    }

    def existing() -> dict[tuple[int, int], int]:
        return {
            (lv.warehouse_id, lv.material_id): lv.id
            for lv in StockLevel.objects.filter(
                warehouse_id__in={w for w, _m in keys}, material_id__in={m for _w, m in keys}
            )
        }

    found = existing()
    missing = [key for key in keys if key not in found]
    if missing:
        StockLevel.objects.bulk_create(
            [StockLevel(warehouse_id=w, material_id=m) for w, m in missing],
            ignore_conflicts=True,
        )
        found = existing()
    return {keys[key]: found[key] for key in keys}


@transaction.atomic
def _apply(rows: list[StockRow], run: TplusSync | None = None) -> int:
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    last: dict[tuple[str, str], StockRow] = {}
    # T+ codes mapped to other local codes (master data page); None: mapped to nothing
    warehouse_map, material_map = posting.local_codes("warehouse"), posting.local_codes("material")
    for row in rows:
        wh = warehouse_map.get(row.warehouse, row.warehouse)
        code = material_map.get(row.material, row.material)
        if wh is None or code is None:
            continue
        key = (wh.upper(), code.upper())
        totals[key] += row.existing
        if row.modified_at and row.modified_at >= getattr(last.get(key), "modified_at", ""):
            last[key] = row
    level_ids = _levels_for(totals)
    plan = ledger.lock_levels(level_ids.values())
    unposted = posting.unposted_by_level(level_ids.values())
    now = timezone.now()
    changed = 0
    differences = []
    for key, level_id in level_ids.items():
        tplus_qty = totals[key]
        on_hand, reserved = plan.on_hand[level_id], plan.reserved[level_id]
        pending = unposted.get(level_id, ZERO)
        # T+ less our unposted issues can come out below zero (a loss booked on both sides, say):
        # on-hand cannot be negative, so the level is kept at its holds and flagged like any
        # figure below what is reserved — the stock page asks for a count
        raw = tplus_qty + pending
        at_risk = raw < reserved
        target = reserved if at_risk else raw
        plan.extra[level_id] = {"tplus_on_hand": tplus_qty, "synced_at": now,
                                "oversold_risk": at_risk}  # fmt: skip
        if target == on_hand:
            continue
        level = plan.levels[level_id]
        who = last.get(key)
        differences.append(
            ErpDifference(
                level_id=level_id, material_id=level.material_id,
                warehouse_id=level.warehouse_id, ours_before=on_hand, erp_on_hand=tplus_qty,
                unposted=pending, difference=target - on_hand, sync=run,
                erp_modified_by=who.modified_by if who else "",
                erp_modified_at=who.modified_at if who else "",
            )
        )  # fmt: skip
        reason = _("T+ reports %(qty)s") % {"qty": ledger.fmt(tplus_qty)}
        if pending:
            reason += " " + _("(plus %(qty)s not yet posted)") % {"qty": ledger.fmt(pending)}
        if who and who.modified_by:
            reason += " " + _("moved in T+ by %(who)s") % {"who": who.modified_by}
        if at_risk:
            reason += " " + _("(below the reserved quantity: kept at reserved)")
        plan.add(Change(level_id, MovementKind.SYNC_CORRECTION, on_hand=target - on_hand,
                        reason=reason[:200]))  # fmt: skip
        changed += 1
    ledger.write(plan, actor=None)
    ErpDifference.objects.bulk_create(differences)
    return changed


def refresh_material(code: str) -> bool:
    """On-demand refresh at order entry with the short timeout. True when T+ answered."""
    if not configured():
        return False
    now = timezone.now().timestamp()
    if (cache.get(_BACKOFF_KEY) or 0) > now:
        return False
    recent = timezone.now() - dt.timedelta(seconds=REFRESH_MIN_AGE)
    fresh = StockLevel.objects.filter(material__code=code, synced_at__gte=recent).exists()
    if fresh:
        return True
    run = tplus_sync(material=code, timeout=settings.TPLUS_TIMEOUT)
    if not run.ok:
        cache.set(_BACKOFF_KEY, now + BACKOFF_SECONDS, BACKOFF_SECONDS)
    ok: bool = run.ok
    return ok


def reset_backoff() -> None:
    cache.delete(_BACKOFF_KEY)


def last_failure_at() -> dt.datetime | None:
    """When the last T+ call failed, if it failed after the last success."""
    last = TplusSync.objects.filter(finished_at__isnull=False).order_by("-id").first()
    if last is None or last.ok:
        return None
    return last.finished_at
