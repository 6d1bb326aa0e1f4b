"""The outbox worker's half: claim due messages, send them, record what happened.

Claim (one short transaction): pick due rows — ``pending``/``failed`` whose ``next_attempt_at`` has
come, or ``sending`` rows whose lease expired (their worker died) — with ``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so concurrent workers take disjoint rows; on SQLite the transaction starts
``IMMEDIATE`` and holds the write lock, and the ``UPDATE`` repeats the due condition, so a claim is
atomic there too. Claimed rows get ``status=sending``, a fresh ``claim_token`` and
``claimed_until = now + lease``; ``attempts`` counts the claim (a message that keeps killing its
worker still ends as a dead letter).

Rate limit: per robot at most ``NOTIFY_ROBOT_PER_MINUTE`` tries in any 60 s — counted from the
delivery log plus the robot's messages in flight; the robot rows are locked during the claim so two
workers cannot both spend the same budget. Messages over the limit stay ``pending`` with
``next_attempt_at`` moved to when the window frees; they are not failed.

Send (no transaction open): before each call the lease is renewed (``UPDATE … WHERE claim_token``);
a row whose lease was lost is skipped. Right after the response one short transaction writes the
``Delivery`` row and the outcome: ``sent``; ``failed`` with the next try after an exponential
backoff with jitter; ``dead`` after ``NOTIFY_MAX_ATTEMPTS``; a platform rate-limit answer waits a
minute without using up a try.

At least once: a worker killed after the endpoint accepted a message but before its "sent" commit
leaves the row ``sending``; after the lease it is claimed again and sent a second time. That window
is one message per killed worker (sends are sequential) and the time between the response and one
small commit.
"""

import datetime as dt
import logging
import os
import random
import socket
import time
import uuid

import httpx
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from . import channels as ch
from . import chatapps, conf
from .models import APP_CHANNELS, ROBOT_CHANNELS, Channel, ChatApp, Delivery, Message, Robot, Status

log = logging.getLogger(__name__)
WINDOW = dt.timedelta(seconds=60)
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def backoff_seconds(attempts: int, *, rng: random.Random | None = None) -> float:
    """Delay before try ``attempts + 1``: BASE·2^(attempts-1), capped, plus up to 25 % jitter."""
    base = conf.get("NOTIFY_BACKOFF_BASE")
    cap = conf.get("NOTIFY_BACKOFF_MAX")
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return delay * (1 + (rng or random).random() * 0.25)


def _due_q(now) -> Q:
    return Q(status__in=(Status.PENDING, Status.FAILED), next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_until__lt=now
    )


def _robot_budget(robot_ids: set[int], now) -> tuple[dict[int, int], dict[int, dt.datetime]]:
    """Per robot: how many more tries fit in the current minute, and when the window frees."""
    limit = conf.get("NOTIFY_ROBOT_PER_MINUTE")
    if not robot_ids:
        return {}, {}
    if connection.features.has_select_for_update:
        # serialises claims per robot: the budget below is spent by one worker at a time
        list(Robot.objects.select_for_update().filter(pk__in=robot_ids).values_list("pk"))
    since = now - WINDOW
    recent = {
        r["robot_id"]: (r["n"], r["first"])
        for r in Delivery.objects.filter(robot_id__in=robot_ids, started_at__gt=since)
        .values("robot_id")
        .annotate(n=Count("id"), first=Min("started_at"))
    }
    in_flight = dict(
        Message.objects.filter(
            robot_id__in=robot_ids, status=Status.SENDING, claimed_until__gte=now
        )
        .values("robot_id")
        .annotate(n=Count("id"))
        .values_list("robot_id", "n")
    )
    budget, frees_at = {}, {}
    for rid in robot_ids:
        used, first = recent.get(rid, (0, None))
        budget[rid] = max(0, limit - used - in_flight.get(rid, 0))
        frees_at[rid] = (first + WINDOW) if first else now + dt.timedelta(seconds=5)
    return budget, frees_at


def _app_budget(candidates, now) -> tuple[dict, dict]:
    """Per chat app and per (app, person): how many more tries fit in the current minute —
    ``NOTIFY_APP_PER_MINUTE`` and ``NOTIFY_PERSON_PER_MINUTE`` (WeCom drops a 31st message to one
    person within a minute) — and when the window frees."""
    app_ids = {aid for _m, _r, _c, aid, _u in candidates if aid}
    if not app_ids:
        return {}, {}
    if connection.features.has_select_for_update:
        list(ChatApp.objects.select_for_update().filter(pk__in=app_ids).values_list("pk"))
    since = now - WINDOW
    recent = Delivery.objects.filter(app_id__in=app_ids, started_at__gt=since, throttled=False)
    flying = Message.objects.filter(
        app_id__in=app_ids, status=Status.SENDING, claimed_until__gte=now
    )
    used: dict = {}
    first: dict = {}
    for aid, uid, at in recent.values_list("app_id", "recipient_id", "started_at"):
        for key in (aid, (aid, uid)):
            used[key] = used.get(key, 0) + 1
            first[key] = min(first.get(key, at), at)
    for aid, uid in flying.values_list("app_id", "recipient_id"):
        for key in (aid, (aid, uid)):
            used[key] = used.get(key, 0) + 1
    per_app, per_person = conf.get("NOTIFY_APP_PER_MINUTE"), conf.get("NOTIFY_PERSON_PER_MINUTE")
    budget = {}
    for _m, _r, _c, aid, uid in candidates:
        if aid:
            budget[aid] = per_app - used.get(aid, 0)
            budget[(aid, uid)] = per_person - used.get((aid, uid), 0)
    frees = {
        k: (first[k] + WINDOW if k in first else now + dt.timedelta(seconds=5)) for k in budget
    }
    return budget, frees


def claim(*, now=None, limit: int | None = None, worker: str = WORKER_ID) -> list[Message]:
    """Take up to ``limit`` due messages for this worker; see the module docstring."""
    now = now or timezone.now()
    limit = limit or conf.get("NOTIFY_BATCH_SIZE")
    lease = dt.timedelta(seconds=conf.get("NOTIFY_LEASE_SECONDS"))
    token = uuid.uuid4().hex
    with transaction.atomic():
        qs = (
            Message.objects.filter(_due_q(now))
            .exclude(channel=Channel.INAPP)
            .order_by("next_attempt_at", "id")
        )
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        # look a little further than the batch so one throttled robot does not starve the rest
        candidates = list(
            qs.values_list("id", "robot_id", "channel", "app_id", "recipient_id")[: limit * 3]
        )
        robot_ids = {rid for _id, rid, c, _a, _u in candidates if c in ROBOT_CHANNELS and rid}
        budget, frees_at = _robot_budget(robot_ids, now)
        app_budget, app_frees = _app_budget(candidates, now)
        chosen: list[int] = []
        waiting: dict[dt.datetime, list[int]] = {}
        for mid, rid, channel, aid, uid in candidates:
            if len(chosen) >= limit:
                break
            if channel in ROBOT_CHANNELS and rid:
                if budget.get(rid, 0) <= 0:
                    waiting.setdefault(frees_at[rid], []).append(mid)
                    continue
                budget[rid] -= 1
            if channel in APP_CHANNELS and aid:
                full = [k for k in (aid, (aid, uid)) if app_budget.get(k, 0) <= 0]
                if full:
                    waiting.setdefault(max(app_frees[k] for k in full), []).append(mid)
                    continue
                app_budget[aid] -= 1
                app_budget[(aid, uid)] -= 1
            chosen.append(mid)
        for when, ids in waiting.items():
            # over the robot's limit: wait for the window, no try used up, not failed
            Message.objects.filter(pk__in=ids).filter(_due_q(now)).update(
                status=Status.PENDING, next_attempt_at=when, claimed_until=None, claim_token=""
            )
        if not chosen:
            return []
        Message.objects.filter(pk__in=chosen).filter(_due_q(now)).update(
            status=Status.SENDING,
            claimed_until=now + lease,
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    return list(
        Message.objects.filter(claim_token=token).select_related("robot", "app").order_by("id")
    )


def _renew(message: Message, now) -> bool:
    lease = dt.timedelta(seconds=conf.get("NOTIFY_LEASE_SECONDS"))
    return bool(
        Message.objects.filter(
            pk=message.pk, claim_token=message.claim_token, status=Status.SENDING
        ).update(claimed_until=now + lease)
    )


def _send(message: Message, client: httpx.Client) -> ch.Outcome:
    if message.channel in ROBOT_CHANNELS:
        robot = message.robot
        if robot is None:
            return ch.Outcome(ok=False, error="robot removed")
        if not robot.enabled:
            return ch.Outcome(ok=False, error="robot disabled")
        return ch.send_robot(robot, message.payload, client=client)
    if message.channel in APP_CHANNELS:
        return chatapps.send_app(message, client)
    if message.channel == Channel.EMAIL:
        return ch.send_email(message)
    return ch.Outcome(ok=False, error=f"unknown channel {message.channel}")


def _record(
    message: Message, outcome: ch.Outcome, *, started, duration_ms: int, worker: str, now_fn
) -> str:
    """One short transaction: the log row and the message's new state."""
    max_attempts = conf.get("NOTIFY_MAX_ATTEMPTS")
    finished = now_fn()
    with transaction.atomic():
        Delivery.objects.create(
            message=message,
            robot_id=message.robot_id,
            app_id=message.app_id,
            recipient_id=message.recipient_id,
            channel=message.channel,
            attempt=message.attempts,
            started_at=started,
            duration_ms=duration_ms,
            ok=outcome.ok,
            throttled=outcome.throttled,
            http_status=outcome.http_status,
            error_code=outcome.error_code[:40],
            error=outcome.error[:500],
            worker=worker[:80],
        )
        mine = Message.objects.filter(pk=message.pk, claim_token=message.claim_token)
        if outcome.ok:
            status = Status.SENT
            mine.update(status=status, sent_at=finished, claimed_until=None, last_error="")
        elif outcome.throttled:
            # the platform counted differently: wait for its minute, the try is given back
            status = Status.PENDING
            mine.update(
                status=status,
                attempts=max(0, message.attempts - 1),
                next_attempt_at=finished + WINDOW,
                claimed_until=None,
                last_error=_error_text(outcome),
            )
        elif outcome.permanent:
            # the platform does not know this person: no retry; they find it in their inbox
            status = Status.DEAD
            if mine.update(status=status, claimed_until=None, last_error=_error_text(outcome)):
                _inbox_fallback(message, finished)
        elif message.attempts >= max_attempts:
            status = Status.DEAD
            mine.update(status=status, claimed_until=None, last_error=_error_text(outcome))
        else:
            status = Status.FAILED
            delay = dt.timedelta(seconds=backoff_seconds(message.attempts))
            mine.update(
                status=status,
                next_attempt_at=finished + delay,
                claimed_until=None,
                last_error=_error_text(outcome),
            )
    return status


def _inbox_fallback(message: Message, now) -> None:
    if message.recipient_id is None:
        return
    Message.objects.bulk_create(
        [
            Message(
                channel=Channel.INAPP,
                target=f"user:{message.recipient_id}",
                recipient_id=message.recipient_id,
                subject=message.subject,
                body=message.body,
                link=message.link,
                dedupe_key=message.dedupe_key,
                order_id=message.order_id,
                source=message.source,
                payload={"fallback_of": message.pk},
                status=Status.SENT,
                sent_at=now,
                created_at=now,
            )
        ],
        ignore_conflicts=True,  # the inbox item of the same key may exist already
    )


def _error_text(outcome: ch.Outcome) -> str:
    code = f"[{outcome.error_code}] " if outcome.error_code else ""
    return f"{code}{outcome.error}"[:500]


def deliver_due(*, now=None, limit: int | None = None, worker: str = WORKER_ID) -> dict:
    """One delivery run: claim a batch and send it. Returns counts by outcome.

    ``now`` fixes the clock for the claim and the log (tests move it forward instead of sleeping).
    """
    fixed = now
    start_wall = time.monotonic()

    def now_fn():
        if fixed is None:
            return timezone.now()
        return fixed + dt.timedelta(seconds=time.monotonic() - start_wall)

    batch = claim(now=now_fn(), limit=limit, worker=worker)
    counts = {"claimed": len(batch)}
    if not batch:
        return counts
    with httpx.Client(timeout=conf.get("NOTIFY_HTTP_TIMEOUT")) as client:
        for message in batch:
            started = now_fn()
            if not _renew(message, started):
                counts["lost"] = counts.get("lost", 0) + 1
                continue
            t0 = time.monotonic()
            try:
                outcome = _send(message, client)
            except Exception as exc:  # a bug in one sender must not stop the batch
                log.exception("sending message %s failed", message.pk)
                outcome = ch.Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
            duration = int((time.monotonic() - t0) * 1000)
            status = _record(
                message,
                outcome,
                started=started,
                duration_ms=duration,
                worker=worker,
                now_fn=now_fn,
            )
            counts[status] = counts.get(status, 0) + 1
    return counts


def deliver_job() -> dict:
    """The periodic job: keep delivering while there is due work, for at most ~20 seconds."""
    total: dict = {}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        counts = deliver_due()
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
        if not counts.get("claimed"):
            break
    return total
