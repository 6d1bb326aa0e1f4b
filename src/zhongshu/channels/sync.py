"""Pull sync: incremental by modified time, in windows of at most a day that overlap the last one
(``overlap_seconds``, 5 minutes by default), page by page to the end.

The cursor lives on the account: ``synced_to`` (everything modified before it is in) and the window
in progress (``window_start``, ``window_end``, ``window_page``). Each page's orders and the advanced
cursor commit in ONE transaction, so a crash anywhere resumes from the last committed page: no gap
(the page is fetched again) and no duplicate (orders are unique per account and external id; a
replayed version is not newer and is ignored).

Pages advance by keyset on modified time: after a full page the window's start moves up to the
page's latest modified time and the page number goes back to 1 (page numbers only advance when a
whole page shares one second). Orders that change while we page move *out* of the window to a later
modified time and are picked up by the next window, so nothing shifts past us unseen.

Throttling (Taobao code 7, Douyin 50002 or HTTP 429) backs off exponentially a few times inside the
run, then parks the account (``backoff_until``) and ends the run; the next run resumes the cursor.
"""

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhongshu.core.errors import DomainError
from zhongshu.orders import hooks

from . import services
from .exceptions import Throttled
from .models import ChannelAccount, ChannelKind, SyncRun

log = logging.getLogger(__name__)
MAX_WINDOW = dt.timedelta(days=1) - dt.timedelta(seconds=1)


def _setting(name: str, default):
    return getattr(settings, name, default)


class CursorMoved(Exception):
    """Another worker advanced this account's cursor while we fetched: leave it to them."""


def _cursor(a: ChannelAccount) -> tuple:
    return (a.synced_to, a.window_start, a.window_end, a.window_page)


def sync_account(
    account_id: int,
    *,
    trigger: str = "schedule",
    max_pages: int | None = None,
    between_pages: Callable[[int], None] | None = None,
) -> SyncRun:
    """Run one sync of one account. ``between_pages(n)`` is called after page ``n`` committed (the
    tests use it to kill a run between pages)."""
    max_pages = max_pages or _setting("CHANNELS_MAX_PAGES_PER_RUN", 1000)
    account = ChannelAccount.objects.select_related("default_region").get(pk=account_id)
    run = SyncRun.objects.create(account=account, trigger=trigger)
    started = timezone.now()
    client = services.client_for(account)
    if client is None:
        return _finish(run, account, error="not a pulled channel")
    if account.backoff_until and account.backoff_until > started and trigger == "schedule":
        return _finish(run, account, error="throttled: waiting", ok=True)
    pages = 0
    try:
        while pages < max_pages:
            if account.window_start is None:
                if account.synced_to and account.synced_to >= started:
                    break
                lookback = dt.timedelta(hours=_setting("CHANNELS_INITIAL_LOOKBACK_HOURS", 24))
                base = account.synced_to or (started - lookback)
                w_start = base - dt.timedelta(seconds=account.overlap_seconds)
                w_end = min(w_start + MAX_WINDOW, timezone.now())
                w_page = 1
            else:
                w_start, w_end, w_page = (
                    account.window_start,
                    cast(dt.datetime, account.window_end),  # stored with window_start
                    account.window_page,
                )
            before = _cursor(account)
            page = _fetch(client, run, w_start, w_end, w_page)
            # the page's orders get their batchable after-commit listeners (rules check, activity
            # counters) once for the whole page, after it committed
            with hooks.batch(), transaction.atomic():
                locked = ChannelAccount.objects.select_for_update().get(pk=account.pk)
                if _cursor(locked) != before:
                    raise CursorMoved()
                counts = services.Ingest(locked, source="pull").apply_all(page.orders)
                services.unreadable_record(account=locked, page=page)
                if page.has_next and page.orders:
                    latest = max(o.modified_at for o in page.orders)
                    if latest > w_start:
                        locked.window_start, locked.window_page = latest, 1
                    else:
                        locked.window_start, locked.window_page = w_start, w_page + 1
                    locked.window_end = w_end
                else:
                    locked.synced_to = w_end
                    locked.window_start = locked.window_end = None
                    locked.window_page = 1
                locked.last_sync_at = timezone.now()
                locked.last_error = ""
                locked.backoff_until = None
                locked.save()
                _count(run, counts, page.skipped)
            account = locked
            pages += 1
            if between_pages is not None:
                between_pages(pages)
    except CursorMoved:
        return _finish(run, account, error="another sync is running", ok=True)
    except Throttled as exc:
        ChannelAccount.objects.filter(pk=account.pk).update(
            backoff_until=timezone.now() + dt.timedelta(seconds=60), last_error=str(exc)[:500]
        )
        return _finish(run, account, error=str(exc))
    except DomainError as exc:
        ChannelAccount.objects.filter(pk=account.pk).update(last_error=str(exc.message)[:500])
        return _finish(run, account, error=str(exc.message))
    return _finish(run, account, ok=True)


def _count(run: SyncRun, counts: dict, skipped: int) -> None:
    run.pages += 1
    run.seen += counts["seen"] + skipped
    run.created += counts["created"]
    run.updated += counts["updated"]
    run.ignored += counts["ignored"]
    run.save()


def _fetch(client, run: SyncRun, start, end, page_no):
    tries = _setting("CHANNELS_THROTTLE_RETRIES", 4)
    pause = _setting("CHANNELS_THROTTLE_PAUSE", 1.0)
    for attempt in range(tries + 1):
        try:
            return client.increment(start, end, page_no)
        except Throttled:
            run.throttled += 1
            if attempt == tries:
                raise
            time.sleep(pause * 2**attempt)
    raise AssertionError("unreachable")


def _finish(run: SyncRun, account, *, ok: bool = False, error: str = "") -> SyncRun:
    run.ok, run.error, run.finished_at = ok, error[:500], timezone.now()
    run.save()
    return run


def sync_due() -> int:
    """The worker job: sync every active pulled account whose last sync is older than its interval;
    a bounded number of pages per account per call."""
    every = dt.timedelta(seconds=_setting("CHANNELS_SYNC_SECONDS", 120))
    now = timezone.now()
    n = 0
    for account in ChannelAccount.objects.filter(
        is_active=True, kind__in=[ChannelKind.TAOBAO, ChannelKind.DOUYIN]
    ):
        if account.last_sync_at and now - account.last_sync_at < every:
            continue
        sync_account(account.pk, max_pages=50)
        n += 1
    return n


def sync_kind(kind: str, *, trigger: str = "command") -> list[SyncRun]:
    return [
        sync_account(a.pk, trigger=trigger)
        for a in ChannelAccount.objects.filter(kind=kind, is_active=True)
    ]


def command_sync(kind: str) -> list[str]:
    """``zhongshu sync taobao|douyin``: one pull of every active account of the channel; a line
    per account, and ``SyncFailed`` when there is none or any of them failed."""
    from zhongshu.core.syncs import SyncFailed

    runs = sync_kind(kind)
    if not runs:
        raise SyncFailed(f"No active {kind} account is configured.")
    lines = [
        f"{run.account.name}: {run.pages} pages, {run.seen} seen, {run.created} new, "
        f"{run.updated} updated, {run.ignored} ignored"
        + ("" if run.ok else f", FAILED: {run.error}")
        for run in runs
    ]
    if not all(r.ok for r in runs):
        raise SyncFailed("\n".join([*lines, "sync failed"]))
    return lines
