"""Chanjet/Yonyou T+ as the stock master: the HTTP client and the sync that applies its figures.

T+ is asked for current stock (``currentStock/Query``), page by page. Whatever goes wrong — timeout,
refused connection, non-2xx, a body that is not the expected JSON — is one ``TplusUnavailable``;
callers keep serving the last synced figures and mark them stale.

What a sync writes: per (material, warehouse) the T+ ``ExistingQuantity`` (summed over batches)
becomes ``on_hand`` through a ``sync_correction`` movement when it differs. ``reserved`` is never
touched. When T+ reports less than is reserved here (goods left through a channel we do not see),
``on_hand`` is lowered only down to ``reserved``, the level is flagged ``oversold_risk`` and the
raw T+ figure kept in ``tplus_on_hand``: confirmed orders keep their stock on paper, available
shows 0, and the stock page raises the alarm for someone to resolve.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import httpx
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.catalog.models import Material

from . import ledger
from .exceptions import TplusUnavailable
from .ledger import Change
from .models import ZERO, MovementKind, StockLevel, TplusSync, Warehouse

QUERY_PATH = "/tplus/api/v2/currentStock/Query"
PAGE_SIZE = 100
MAX_PAGES = 10_000
SYNC_TIMEOUT = 30.0
# After a failed on-demand refresh, order entry stops asking T+ for a while instead of making
# every keystroke wait for the timeout.
BACKOFF_SECONDS = 30
REFRESH_MIN_AGE = 60  # seconds: a figure this fresh is not fetched again
_BACKOFF_KEY = "inventory:tplus:down-until"


@dataclass(frozen=True)
class StockRow:
    warehouse: str
    material: str
    name: str
    existing: Decimal


def configured() -> bool:
    return bool(settings.TPLUS_BASE_URL)


class TplusClient:
    def __init__(
        self, *, base_url: str | None = None, timeout: float | None = None, transport=None
    ):
        self.base_url = (base_url if base_url is not None else settings.TPLUS_BASE_URL).rstrip("/")
        self.timeout = timeout if timeout is not None else settings.TPLUS_TIMEOUT
        self.transport = transport

    def _headers(self) -> dict[str, str]:
        return {
            "appKey": settings.TPLUS_APP_KEY,
            "appSecret": settings.TPLUS_APP_SECRET,
            "openToken": settings.TPLUS_OPEN_TOKEN,
        }

    def current_stock(
        self, *, warehouse: str | None = None, material: str | None = None
    ) -> list[StockRow]:
        if not self.base_url:
            raise TplusUnavailable("T+ is not configured")
        rows: list[StockRow] = []
        param: dict = {"PageSize": PAGE_SIZE}
        if warehouse:
            param["Warehouse"] = [{"Code": warehouse}]
        if material:
            param["Inventory"] = [{"Code": material}]
        try:
            with httpx.Client(
                base_url=self.base_url, timeout=self.timeout, transport=self.transport
            ) as client:
                for page in range(1, MAX_PAGES + 1):
                    body = self._post(client, {"param": {**param, "PageIndex": page}})
                    page_rows, total = _parse(body)
                    rows.extend(page_rows)
                    if not page_rows or total is None or len(rows) >= total:
                        return rows
        except httpx.HTTPError as exc:
            raise TplusUnavailable(f"{type(exc).__name__}: {exc}"[:300]) from exc
        raise TplusUnavailable("too many pages")

    def _post(self, client: httpx.Client, payload: dict):
        response = client.post(QUERY_PATH, json=payload, headers=self._headers())
        if not 200 <= response.status_code < 300:
            raise TplusUnavailable(f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            return response.json()
        except ValueError as exc:
            raise TplusUnavailable("the reply is not JSON") from exc


def _parse(body) -> tuple[list[StockRow], int | None]:
    if isinstance(body, list):
        items, total = body, None
    elif isinstance(body, dict):
        items = next(
            (body[k] for k in ("Data", "data", "Rows", "rows") if isinstance(body.get(k), list)),
            None,
        )
        if items is None:
            raise TplusUnavailable("the reply has no rows")
        total = body.get("TotalCount")
        if total is not None and (not isinstance(total, int) or isinstance(total, bool)):
            raise TplusUnavailable("TotalCount is not a number")
    else:
        raise TplusUnavailable("unexpected reply")
    rows = []
    for item in items:
        if not isinstance(item, dict):
            raise TplusUnavailable("a row is not an object")
        try:
            qty = Decimal(str(item["ExistingQuantity"]))
            wh, code = str(item["WarehouseCode"]).strip(), str(item["InventoryCode"]).strip()
        except (KeyError, InvalidOperation, TypeError) as exc:
            raise TplusUnavailable("a row lacks warehouse, material or quantity") from exc
        if not qty.is_finite() or not wh or not code:
            raise TplusUnavailable("a row has an invalid quantity or code")
        rows.append(StockRow(wh, code, str(item.get("InventoryName") or ""), qty))
    return rows, total


# --- the sync -------------------------------------------------------------------------------------


def tplus_sync(*, material: str | None = None, timeout: float | None = None, client=None):
    """Fetch current stock from T+ and apply it; one ``TplusSync`` row records the run.

    ``material=None`` is the full scheduled sync; a code refreshes just that material (order
    entry). Never raises for T+ trouble: the run is recorded as failed and the old figures stay.
    """
    run = TplusSync.objects.create(scope=f"material:{material}" if material else "full")
    client = client or TplusClient(timeout=timeout if timeout is not None else SYNC_TIMEOUT)
    try:
        rows = client.current_stock(material=material)
    except TplusUnavailable as exc:
        run.error = str(exc)[:500]
        run.finished_at = timezone.now()
        run.save(update_fields=["error", "finished_at"])
        return run
    run.rows = len(rows)
    run.changed = _apply(rows)
    run.ok = True
    run.finished_at = timezone.now()
    run.save(update_fields=["rows", "changed", "ok", "finished_at"])
    return run


@transaction.atomic
def _apply(rows: list[StockRow]) -> int:
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[(row.warehouse.upper(), row.material.upper())] += row.existing
    materials = dict(
        Material.objects.filter(code__in={m for _w, m in totals}).values_list("code", "id")
    )
    warehouses = {w.code: w for w in Warehouse.objects.filter(code__in={w for w, _m in totals})}
    for code in sorted({w for w, _m in totals} - set(warehouses)):
        warehouses[code] = Warehouse.objects.get_or_create(code=code, defaults={"name": code})[0]
    wanted = {
        (warehouses[w].id, materials[m]): qty for (w, m), qty in totals.items() if m in materials
    }
    existing = {
        (lv.warehouse_id, lv.material_id): lv.id
        for lv in StockLevel.objects.filter(
            warehouse_id__in={w for w, _m in wanted}, material_id__in={m for _w, m in wanted}
        )
    }
    missing = [key for key in wanted if key not in existing]
    if missing:
        StockLevel.objects.bulk_create(
            [StockLevel(warehouse_id=w, material_id=m) for w, m in missing],
            ignore_conflicts=True,
        )
        existing = {
            (lv.warehouse_id, lv.material_id): lv.id
            for lv in StockLevel.objects.filter(
                warehouse_id__in={w for w, _m in wanted}, material_id__in={m for _w, m in wanted}
            )
        }
    plan = ledger.lock_levels(existing[key] for key in wanted)
    now = timezone.now()
    changed = 0
    for key, tplus_qty in wanted.items():
        level_id = existing[key]
        on_hand, reserved = plan.on_hand[level_id], plan.reserved[level_id]
        target = max(tplus_qty, ZERO)
        at_risk = target < reserved
        if at_risk:
            target = reserved
        plan.extra[level_id] = {
            "tplus_on_hand": tplus_qty,
            "synced_at": now,
            "oversold_risk": at_risk,
        }
        if target != on_hand:
            reason = _("T+ reports %(qty)s") % {"qty": ledger.fmt(tplus_qty)}
            if at_risk:
                reason += " " + _("(below the reserved quantity: kept at reserved)")
            plan.add(Change(level_id, MovementKind.SYNC_CORRECTION, on_hand=target - on_hand,
                            reason=reason[:200]))  # fmt: skip
            changed += 1
    ledger.write(plan, actor=None)
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
    return run.ok


def reset_backoff() -> None:
    cache.delete(_BACKOFF_KEY)


def last_failure_at():
    """When the last T+ call failed, if it failed after the last success."""
    last = TplusSync.objects.filter(finished_at__isnull=False).order_by("-id").first()
    if last is None or last.ok:
        return None
    return last.finished_at
