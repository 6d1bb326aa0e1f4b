"""Shipping reported back to the platforms (Taobao logistics send, Douyin logistics add): an outbox
with leases, in the same shape as the notification outbox.

* ``enqueue`` runs inside the transaction that writes a shipment (every package of a partial
  delivery, see ``hooks``) and inside the internal order's ship transition: the report row commits
  with the shipment or not at all, so a crash right after the commit loses nothing. One row per
  package (unique on channel order + shipment number): the platform hears of each package once.
* ``claim`` (one short transaction) takes due rows — ``pending``/``failed`` whose time has come, or
  ``sending`` rows whose lease expired because their worker died — with ``SELECT … FOR UPDATE SKIP
  LOCKED`` on PostgreSQL; on SQLite the write lock serialises claims and the ``UPDATE`` repeats the
  due condition. A claimed row gets a fresh token and ``claimed_until = now + lease``.
* ``deliver`` works out what the package holds in the platform's terms (``package``), calls the
  platform with no transaction open, then records the outcome only if it still holds the claim
  token.

A package that ships the whole order at once is a plain consignment (Taobao
``taobao.logistics.offline.send``, Douyin ``order.logisticsAdd``). Anything else is split: Taobao
``is_split=1`` with ``sub_tid`` = the sub-orders (oid) first shipped in this package; Douyin
``order.logisticsAddMultiPack`` with each sub-order's shipped quantity and ``request_id`` = the
report's idempotency key.

Exactly once towards the platform: a row reclaimed after an expired lease is marked ``uncertain``
(its worker may have died after the platform accepted the call). Before sending such a row to
Taobao the trade is read back; if the package's sub-orders (or, for a whole consignment, the trade)
already show as shipped, the row is marked sent without a second call. Douyin answers a repeated
``request_id`` with the first result and ships nothing again.
"""

import datetime as dt
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from zhongshu.core.errors import DomainError

from . import platforms as p
from .models import ChannelKind, ChannelOrder, LogisticsReport

log = logging.getLogger(__name__)
S = LogisticsReport.Status
PULLED = (ChannelKind.TAOBAO, ChannelKind.DOUYIN)
WHOLE = "order"  # the key of a report for an order that shipped without a shipment record


def _conf(name: str, default):
    return getattr(settings, name, default)


def enqueue(*, order_id: int, shipment_number: str | None = None) -> list[LogisticsReport]:
    """Outbox rows for the channel orders behind an internal order: one for the named shipment
    (or, without a name, the order's latest; or the whole order when it has none). Called again
    for the same package it finds the row and adds nothing."""
    from zhongshu.inventory.models import Shipment

    cos = list(ChannelOrder.objects.filter(order_id=order_id, account__kind__in=PULLED))
    if not cos:
        return []
    ships = Shipment.objects.filter(order_id=order_id)
    ship = (ships.filter(number=shipment_number).first() if shipment_number else None) or (
        ships.order_by("-id").first()
    )
    rows = []
    for co in cos:
        # a whole-order report covers every package, and any package report makes a whole-order
        # one redundant (whichever of the ship hooks ran first)
        covered = (
            LogisticsReport.objects.filter(channel_order=co)
            .filter(Q(key=WHOLE) if ship else Q())
            .first()
        )
        if covered is not None and (ship is None or covered.key == WHOLE):
            rows.append(covered)
            continue
        name = ((ship.carrier if ship else "") or "").strip()[:40]
        code = carrier_code(co.account.kind, name)
        report, created = LogisticsReport.objects.get_or_create(
            channel_order=co,
            key=ship.number if ship else WHOLE,
            defaults={
                "shipment": ship,
                "tracking_no": ((ship.tracking_no or ship.number) if ship else co.external_id)[:60],
                "carrier": name,
                "carrier_code": code or "",
                "status": S.PENDING if code else S.HELD,
            },
        )
        if created and not code:
            _hold_for_carrier(co, name)
        rows.append(report)
    return rows


def carrier_code(channel: str, name: str) -> str | None:
    """The platform's company code for the warehouse's carrier name (None: not mapped — the
    report is held and a person maps the name; a name is never sent where a code belongs)."""
    from .models import CarrierMapping

    if not name:
        return None
    mapping = (
        CarrierMapping.objects.filter(channel=channel, name__iexact=name)
        .select_related("carrier")
        .first()
    )
    return mapping.carrier.code if mapping else None


def _hold_for_carrier(co: ChannelOrder, name: str) -> None:
    from django.utils.translation import gettext as _

    from .models import ChannelException

    exists = ChannelException.objects.filter(
        channel_order=co, reason=ChannelException.Reason.CARRIER, title=name,
        resolved_at__isnull=True,
    ).exists()  # fmt: skip
    if not exists:
        ChannelException.objects.create(
            channel_order=co, channel=co.account.kind, reason=ChannelException.Reason.CARRIER,
            title=name,
            detail=(_("Carrier %(name)s has no %(channel)s code: map it, the report waits.")
                    % {"name": name or "-", "channel": co.account.get_kind_display()}),
        )  # fmt: skip


# --- what a package holds, in the platform's terms ------------------------------------------------


@dataclass
class Package:
    whole: bool  # the first and only package: every line in full
    sub_orders: list[tuple[str, int]] = field(default_factory=list)  # (platform id, quantity)


def _platform_lines(co: ChannelOrder) -> dict[int, tuple[str, int]]:
    """(sub-order id, platform quantity) of the stored payload by internal line number: through
    ``ChannelOrder.line_ids`` when the platform's lines have ids, else by position."""
    raw = co.payload or {}
    if co.account.kind == ChannelKind.TAOBAO:
        items = [(o.get("oid"), o.get("num")) for o in (raw.get("orders") or {}).get("order") or []]
    else:
        items = [(s.get("order_id"), s.get("item_num")) for s in raw.get("sku_order_list") or []]
    out = []
    for sub_id, num in items:
        try:
            out.append((str(sub_id or ""), int(num)))
        except (TypeError, ValueError):
            out.append((str(sub_id or ""), 0))
    known = co.line_ids or {}
    if known:
        return {known[sub_id]: (sub_id, num) for sub_id, num in out if sub_id in known}
    return dict(enumerate(out, start=1))


def package(report: LogisticsReport) -> Package:
    """The package in platform terms. Internal lines are the platform's lines through their ids
    (``_platform_lines``); quantities go back through the line's ratio
    (platform quantity / internal quantity), rounded down per cumulative total so that the last
    package completes each sub-order exactly."""
    from zhongshu.inventory.models import ShipmentLine

    co = report.channel_order
    if report.shipment_id is None or co.order_id is None:  # a shipment always has its order
        return Package(whole=True)
    plat = _platform_lines(co)
    lines = list(
        ShipmentLine.objects.filter(shipment__order_id=co.order_id)
        .values_list("shipment_id", "order_line__line_no", "order_line__quantity", "quantity")
        .order_by("shipment_id", "id")
    )
    if (
        not plat
        or any(not sub_id for sub_id, _n in plat.values())
        or any(no not in plat for _s, no, _q, _x in lines)
    ):
        return Package(whole=True)  # not a shape we can split: consign the trade as a whole
    before: dict[int, Decimal] = {}
    here: dict[int, Decimal] = {}
    ordered: dict[int, Decimal] = {}
    earlier_packages = False
    for ship_id, no, qty, shipped in lines:
        ordered[no] = qty
        if ship_id < report.shipment_id:
            before[no] = before.get(no, Decimal(0)) + shipped
            earlier_packages = True
        elif ship_id == report.shipment_id:
            here[no] = here.get(no, Decimal(0)) + shipped
    complete = all(here.get(i, 0) >= ordered.get(i, 0) > 0 for i in plat)
    if not earlier_packages and complete:
        return Package(whole=True)
    kind = co.account.kind

    def platform_qty(no: int, internal: Decimal) -> int:
        num = plat[no][1]
        if internal >= ordered[no]:
            return num
        return int((internal * num / ordered[no]).to_integral_value(ROUND_FLOOR))

    subs = []
    for no in sorted(here):
        sub_id = plat[no][0]
        if kind == ChannelKind.TAOBAO:
            # Taobao consigns a sub-order once, with the first package that carries any of it
            if before.get(no, 0) == 0 and here[no] > 0:
                subs.append((sub_id, plat[no][1]))
        else:
            n = platform_qty(no, before.get(no, 0) + here[no]) - platform_qty(
                no, before.get(no, Decimal(0))
            )
            if n > 0:
                subs.append((sub_id, n))
    return Package(whole=False, sub_orders=subs)


def _due_q(now) -> Q:
    return Q(status__in=(S.PENDING, S.FAILED), next_attempt_at__lte=now) | Q(
        status=S.SENDING, claimed_until__lt=now
    )


def claim(*, now=None, limit: int = 20, ids: list[int] | None = None) -> list[LogisticsReport]:
    now = now or timezone.now()
    lease = dt.timedelta(seconds=_conf("CHANNELS_LOGISTICS_LEASE_SECONDS", 120))
    token = uuid.uuid4().hex
    with transaction.atomic():
        qs = LogisticsReport.objects.filter(_due_q(now)).order_by("next_attempt_at", "id")
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        chosen = list(qs.values_list("id", flat=True)[:limit])
        if not chosen:
            return []
        # a row still "sending" was in flight when its worker died: the platform may have it
        LogisticsReport.objects.filter(pk__in=chosen, status=S.SENDING).filter(_due_q(now)).update(
            uncertain=True
        )
        LogisticsReport.objects.filter(pk__in=chosen).filter(_due_q(now)).update(
            status=S.SENDING,
            claimed_until=now + lease,
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    return list(
        LogisticsReport.objects.filter(claim_token=token)
        .select_related("channel_order__account")
        .order_by("id")
    )


def _record(report: LogisticsReport, **fields) -> bool:
    return bool(
        LogisticsReport.objects.filter(
            pk=report.pk, claim_token=report.claim_token, status=S.SENDING
        ).update(**fields)
    )


def request_id(report: LogisticsReport) -> str:
    """The package's idempotency key towards the platform: stable across retries and restarts."""
    return f"zs-{report.channel_order_id}-{report.key}"[:64]


def _send_one(report: LogisticsReport, after_send: Callable | None) -> str:
    from .services import client_for

    co = report.channel_order
    client = client_for(co.account)
    pkg = package(report)
    if not pkg.whole and not pkg.sub_orders:
        # e.g. the rest of a Taobao sub-order whose first part went with an earlier package: the
        # platform records one consignment per sub-order, so there is nothing new to tell it
        _record(report, status=S.SENT, sent_at=timezone.now(), claimed_until=None, sub_orders=[],
                response="nothing new for the platform: consigned with an earlier package")  # fmt: skip
        return S.SENT
    subs = [list(x) for x in pkg.sub_orders]
    if report.uncertain and co.account.kind == ChannelKind.TAOBAO:
        if pkg.whole:
            done = client.order_phase(co.external_id) in (p.SHIPPED, p.DONE)
        else:
            done = {s for s, _n in pkg.sub_orders} <= client.consigned_sub_orders(co.external_id)
        if done:
            _record(report, status=S.SENT, sent_at=timezone.now(), claimed_until=None,
                    sub_orders=subs, response="already shipped on the platform")  # fmt: skip
            return S.SENT
    client.logistics_send(
        tid=co.external_id, out_sid=report.tracking_no or co.external_id,
        company_code=report.carrier_code,
        sub_orders=None if pkg.whole else pkg.sub_orders, request_id=request_id(report),
    )  # fmt: skip
    if after_send is not None:
        after_send(report)  # the tests kill the "worker" here
    _record(report, status=S.SENT, sent_at=timezone.now(), claimed_until=None, sub_orders=subs,
            response="ok")  # fmt: skip
    return S.SENT


def deliver(*, now=None, limit: int = 20, ids: list[int] | None = None,
            after_send: Callable | None = None) -> dict:  # fmt: skip
    """Claim and send due reports; returns counts by outcome."""
    counts = {"sent": 0, "failed": 0, "dead": 0}
    max_attempts = _conf("CHANNELS_LOGISTICS_MAX_ATTEMPTS", 8)
    for report in claim(now=now, limit=limit, ids=ids):
        try:
            counts[_send_one(report, after_send)] += 1
        except DomainError as exc:
            dead = report.attempts >= max_attempts
            delay = min(3600, 30 * 2 ** max(0, report.attempts - 1)) * (1 + random.random() / 4)
            _record(
                report,
                status=S.DEAD if dead else S.FAILED,
                next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
                claimed_until=None,
                response=str(exc.message)[:500],
            )
            counts["dead" if dead else "failed"] += 1
    return counts


def deliver_job() -> int:
    """The worker job."""
    return deliver(limit=_conf("CHANNELS_LOGISTICS_BATCH", 50))["sent"]
