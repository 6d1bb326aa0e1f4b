"""Ingestion: applying versions of external orders and what each status means for the internal
order."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts.models import Region
from zhongshu.core.bulk import insert_objects
from zhongshu.core.errors import DomainError
from zhongshu.customers.models import Customer
from zhongshu.orders.models import Order
from zhongshu.orders.statuses import OPEN, OrderStatus

from .. import platforms as p
from ..models import (
    ChannelAccount,
    ChannelException,
    ChannelOrder,
    ChannelOrderEvent,
    SkuMapping,
)
from ._common import State, channel_bot, normalize
from .convert import Converter
from .follow import follow


class Ingest(Converter):
    """Applies external orders in one transaction (the caller's); caches mappings, customers and
    the bot for the batch."""

    def __init__(self, account: ChannelAccount, *, source: str):
        self.account, self.source = account, source
        self.bot = channel_bot()
        self.maps = {
            m.channel_sku: m
            for m in SkuMapping.objects.filter(channel=account.kind).select_related("material")
        }
        self.customers: dict[str, Customer] = {}
        # ``changed``: newer versions applied to their internal order; ``flagged``: versions whose
        # difference became an exception (and, for a released order, a change request)
        self.counts = {"seen": 0, "created": 0, "updated": 0, "ignored": 0, "ordered": 0,
                       "changed": 0, "flagged": 0}  # fmt: skip
        # set by ``apply_all``: the page's stored orders (locked) and buyers, read in one query
        # each instead of one per order
        self.known: dict[str, ChannelOrder] | None = None
        self.known_customers: dict[str, Customer] = {}
        self.fresh: set[int] = set()  # created here and not converted yet: no exceptions to clear
        # set by ``apply_all``: paid orders waiting to be converted together (by external id),
        # the status events to write with them, and the page's new orders it stored in one go
        self.pending: dict[str, tuple[ChannelOrder, p.ExternalOrder]] | None = None
        self.events: list[ChannelOrderEvent] = []
        self.inserted: set[str] = set()
        # the payload a newer version replaced, by channel order; those that met two versions
        # within one second
        self.previous: dict[int, dict] = {}
        self.ties: set[int] = set()

    def apply_all(self, orders: list[p.ExternalOrder]) -> dict:
        """Apply a page. Its paid orders become internal orders together, at the end (or before
        another version of one of them is applied, so the outcome is that of one by one)."""
        self._prefetch(orders)
        self._insert_new(orders)
        self.pending = {}
        try:
            for ext in orders:
                if ext.external_id in self.pending:
                    self.flush()
                self.apply(ext)
            self.flush()
        finally:
            self.known = None
            self.pending = None
            self.inserted = set()
        return self.counts

    def _insert_new(self, orders: list[p.ExternalOrder]) -> None:
        """Store the page's orders not stored yet in one statement (the first version of each;
        ``apply`` then takes them as just created). One that another path stored meanwhile is
        skipped here (``ON CONFLICT DO NOTHING``) and meets ``apply``'s usual conflict path."""
        known = self.known
        if known is None:  # ``_prefetch`` reads them first
            raise RuntimeError("the page's stored orders are not read yet")
        first: dict[str, p.ExternalOrder] = {}
        for ext in orders:
            if ext.external_id not in known:
                first.setdefault(ext.external_id, ext)
        new = [self._new_order(first[k]) for k in sorted(first)]  # a fixed lock order
        for co in insert_objects(new, skip_conflicts=True, key="external_id"):
            known[co.external_id] = co
            self.inserted.add(co.external_id)

    def _new_order(self, ext: p.ExternalOrder) -> ChannelOrder:
        return ChannelOrder(
            account=self.account,
            external_id=ext.external_id,
            status=ext.status,
            state=State.WAITING,
            modified_at=ext.modified_at,
            buyer_key=ext.buyer_key[:120],
            buyer_name=ext.buyer_name[:120],
            amount=ext.amount,
            payload=ext.raw,
            source=self.source,
        )

    def _prefetch(self, orders: list[p.ExternalOrder]) -> None:
        ids = list(dict.fromkeys(o.external_id for o in orders))
        self.known = {}
        codes: set[str] = set()
        for i in range(0, len(ids), 500):
            self.known.update(
                (co.external_id, co)
                for co in ChannelOrder.objects.select_for_update()
                .filter(account=self.account, external_id__in=ids[i : i + 500])
                .order_by("pk")  # lock in a fixed order
            )
        for ext in orders:
            codes.add(self._customer_key(ext.external_id, ext)[1])
        unknown = sorted(codes - set(self.customers))
        for i in range(0, len(unknown), 500):
            self.known_customers.update(
                (c.code, c) for c in Customer.objects.filter(code__in=unknown[i : i + 500])
            )

    def apply(self, ext: p.ExternalOrder) -> ChannelOrder:
        self.counts["seen"] += 1
        qs = ChannelOrder.objects.select_for_update()
        if self.known is not None:
            co = self.known.get(ext.external_id)
        else:
            co = qs.filter(account=self.account, external_id=ext.external_id).first()
        if co is not None and ext.external_id in self.inserted:  # stored by ``_insert_new``
            self.inserted.discard(ext.external_id)
            self.counts["created"] += 1
            self.fresh.add(co.pk)
        elif co is None:
            try:
                with transaction.atomic():
                    co = self._new_order(ext)
                    co.save(force_insert=True)
                self.counts["created"] += 1
                self.fresh.add(co.pk)
                if self.known is not None:
                    self.known[co.external_id] = co
            except IntegrityError:  # the same order arrived at the same moment by another path
                co = qs.get(account=self.account, external_id=ext.external_id)
                if self.known is not None:
                    self.known[co.external_id] = co
                if not self._newer(co, ext):
                    return co
        else:
            before = co.payload
            if not self._newer(co, ext):
                return co
            self.previous[co.pk] = before
        event = ChannelOrderEvent(
            channel_order=co, status=ext.status, modified_at=ext.modified_at, source=self.source
        )
        if self.pending is not None:
            self.events.append(event)  # written with the page's conversions
        else:
            event.save()
        self._act(co, ext)
        return co

    def _newer(self, co: ChannelOrder, ext: p.ExternalOrder) -> bool:
        """Updates apply only when newer than what is stored: a later modified time, or the same
        second and a later status in the lifecycle (``platforms.version_key``); equal or older is
        a replay. The same key with other content is two changes within one second, which the
        platforms cannot order for us: it is applied, and a converted order gets an exception
        (``ties``) so that a person checks it against the platform."""
        kind = self.account.kind
        new_key = p.version_key(kind, ext.modified_at, ext.status)
        old_key = p.version_key(kind, co.modified_at, co.status)
        if new_key < old_key or (new_key == old_key and ext.raw == co.payload):
            self.counts["ignored"] += 1
            return False
        if new_key == old_key:
            self.ties.add(co.pk)
        co.status, co.modified_at, co.payload = ext.status, ext.modified_at, ext.raw
        co.amount = ext.amount
        co.source = self.source
        co.save(update_fields=["status", "modified_at", "payload", "amount", "source",
                               "updated_at"])  # fmt: skip
        self.counts["updated"] += 1
        return True

    # --- where the buyer's address belongs ----------------------------------------------------------

    def _router(self):
        if getattr(self, "_address_router", None) is None:
            from ..addresses import Router

            self._address_router = Router()
        return self._address_router

    def _region(self, ext: p.ExternalOrder) -> Region:
        return (
            self._router().route(ext.province, ext.city, self.account.default_region)
            or self.account.default_region
        )

    def _unrouted(self, co: ChannelOrder, ext: p.ExternalOrder) -> list[ChannelException]:
        """The exception for an address that matches no region rule (none when it matches, or
        while there are no rules)."""
        if self._router().route(ext.province, ext.city, self.account.default_region) is not None:
            return []
        from ..addresses import place

        return [ChannelException(
            channel_order=co, channel=self.account.kind, reason=ChannelException.Reason.ADDRESS,
            province=place(ext.province)[:30], city=place(ext.city)[:30],
            title=f"{ext.province} {ext.city}".strip()[:200],
        )]  # fmt: skip

    # --- what a status means for the internal order ----------------------------------------------

    def _act(self, co: ChannelOrder, ext: p.ExternalOrder) -> None:
        if ext.phase in (p.PAID, p.SHIPPED, p.DONE) and co.order_id is not None:
            if self.pending is not None and co.external_id in self.pending:
                self.flush()  # converted in this page: compare with the order just created
            old = self.previous.pop(co.pk, None)
            follow(self, co, ext, normalize(self.account.kind, old) if old else None)
        elif ext.phase == p.PAID:
            if co.state in (State.WAITING, State.EXCEPTION, State.ERROR):
                self.convert(co, ext)
        elif ext.phase == p.CLOSED:
            self._close(co)
        elif ext.phase == p.UNPAID:
            pass
        elif co.order_id is None and co.state == State.WAITING:
            # first seen already shipped or finished elsewhere: nothing left to make or ship
            self._set(co, State.CLOSED, "")

    def _set(self, co, state, error=""):
        co.state, co.error = state, str(error)[:500]
        co.save(update_fields=["state", "error", "updated_at"])

    def _close(self, co: ChannelOrder) -> None:
        ChannelException.objects.filter(channel_order=co, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        if co.order_id is None:
            self._set(co, State.CLOSED)
            return
        from zhongshu.orders.services import order_transition

        status = Order.objects.filter(pk=co.order_id).values_list("status", flat=True).first()
        if status in OPEN:
            try:
                with transaction.atomic():
                    order_transition(
                        actor=self.bot,
                        order_id=co.order_id,
                        action="cancel",
                        note=_("Refunded or closed on %(channel)s (%(id)s).")
                        % {"channel": co.account.get_kind_display(), "id": co.external_id},
                        system=True,
                    )
                self._set(co, State.CANCELLED)
            except DomainError as exc:
                self._set(co, State.ERROR, exc.message)
        elif status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED):
            self._open_case(co)
        else:
            self._set(co, State.CANCELLED)

    def _open_case(self, co: ChannelOrder) -> None:
        try:
            from zhongshu.aftersales.services import case_create
        except ImportError:
            self._set(co, State.ERROR, _("After-sales cases are not available: open one by hand."))
            return
        try:
            with transaction.atomic():
                case_create(
                    actor=None,
                    order_id=co.order_id,
                    category="other",
                    severity="medium",
                    description=_("Refunded on %(channel)s after shipping (%(id)s).")
                    % {"channel": co.account.get_kind_display(), "id": co.external_id},
                    source="channel",
                )
            self._set(co, State.AFTERSALES)
        except (DomainError, TypeError, ValueError) as exc:
            self._set(co, State.ERROR, getattr(exc, "message", str(exc)))

    # --- conversion -------------------------------------------------------------------------------
