"""Pulled entries that name their order but cannot be read — an impossible number (NaN, 0.0001 of a
piece, 1E+999999999), a line that is not a mapping. Each becomes an open exception on its channel
order, so a person sees it; the sync goes on with the rest of the page. A later readable version of
the same order resolves the exception (the version itself goes through the usual ingestion)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from .. import platforms as p
from ..models import ChannelAccount, ChannelException, ChannelOrder
from ._common import State

# an order first seen unreadable keeps no platform time of its own: any readable version is newer
NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def unreadable_record(*, account: ChannelAccount, page: p.Page) -> int:
    """Open one exception per unreadable order of ``page`` (a replay adds nothing) and resolve the
    open ones of orders the page brought readable. Runs inside the page's transaction."""
    Reason = ChannelException.Reason
    readable = [o.external_id for o in page.orders]
    if readable:
        ChannelException.objects.filter(
            reason=Reason.INVALID, resolved_at__isnull=True,
            channel_order__account=account, channel_order__external_id__in=readable,
        ).update(resolved_at=timezone.now())  # fmt: skip
    opened = 0
    for entry in page.unreadable:
        co, _created = ChannelOrder.objects.get_or_create(
            account=account,
            external_id=entry.external_id,
            defaults={
                "status": entry.status, "state": State.ERROR, "modified_at": NEVER,
                "payload": entry.raw, "error": entry.problem[:500], "source": "pull",
            },
        )  # fmt: skip
        detail = _("The platform's message could not be read: %(problem)s") % {
            "problem": entry.problem
        }
        if ChannelException.objects.filter(
            channel_order=co, reason=Reason.INVALID, resolved_at__isnull=True
        ).exists():
            continue
        ChannelException.objects.create(
            channel_order=co, channel=account.kind, reason=Reason.INVALID,
            title=entry.external_id, detail=detail[:4000],
        )  # fmt: skip
        opened += 1
    return opened
