"""Shipping reported back to the platforms (Taobao logistics send, Douyin logistics add): an outbox
with leases, in the same shape as the notification outbox.

* ``enqueue`` runs inside the internal order's ship transition (an ``effect`` hook): the report row
  commits with the shipment or not at all, so a crash right after the commit loses nothing.
  One row per channel order (unique constraint): the platform consigns a trade once.
* ``claim`` (one short transaction) takes due rows — ``pending``/``failed`` whose time has come, or
  ``sending`` rows whose lease expired because their worker died — with ``SELECT … FOR UPDATE SKIP
  LOCKED`` on PostgreSQL; on SQLite the write lock serialises claims and the ``UPDATE`` repeats the
  due condition. A claimed row gets a fresh token and ``claimed_until = now + lease``.
* ``deliver`` calls the platform with no transaction open, then records the outcome only if it
  still holds the claim token.

Exactly once towards the platform: a row reclaimed after an expired lease is marked ``uncertain``
(its worker may have died after the platform accepted the call). Before sending such a row the
order is read back from the platform; if it is already shipped there, the row is marked sent
without a second call.
"""

import datetime as dt
import logging
import random
import uuid
from collections.abc import Callable

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


def _conf(name: str, default):
    return getattr(settings, name, default)


def enqueue(*, order_id: int, shipment_number: str | None = None) -> list[LogisticsReport]:
    """Outbox rows for the channel orders behind an internal order (called inside the ship
    transition's transaction). A second call finds the row and adds nothing."""
    from zhongshu.inventory.models import Shipment

    rows = []
    cos = ChannelOrder.objects.filter(order_id=order_id, account__kind__in=PULLED)
    for co in cos:
        ships = Shipment.objects.filter(order_id=order_id)
        ship = (ships.filter(number=shipment_number).first() if shipment_number else None) or (
            ships.order_by("-id").first()
        )
        report, _created = LogisticsReport.objects.get_or_create(
            channel_order=co,
            defaults={
                "shipment": ship,
                "tracking_no": ((ship.tracking_no or ship.number) if ship else co.external_id)[:60],
                "carrier": ((ship.carrier if ship else "") or "OTHER")[:40],
            },
        )
        rows.append(report)
    return rows


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


def _send_one(report: LogisticsReport, after_send: Callable | None) -> str:
    from .services import client_for

    co = report.channel_order
    client = client_for(co.account)
    if report.uncertain:
        phase = client.order_phase(co.external_id)
        if phase in (p.SHIPPED, p.DONE):
            _record(report, status=S.SENT, sent_at=timezone.now(), claimed_until=None,
                    response="already shipped on the platform")  # fmt: skip
            return S.SENT
    client.logistics_send(
        tid=co.external_id, out_sid=report.tracking_no or co.external_id,
        company_code=report.carrier or "OTHER",
    )  # fmt: skip
    if after_send is not None:
        after_send(report)  # the tests kill the "worker" here
    _record(report, status=S.SENT, sent_at=timezone.now(), claimed_until=None, response="ok")
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
