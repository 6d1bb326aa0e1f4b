"""Conversion of paid channel orders into internal orders."""

import datetime as dt
import hashlib
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts.models import Region
from zhongshu.core.actors import Actor
from zhongshu.core.bulk import insert_objects, update_rows
from zhongshu.core.errors import DomainError
from zhongshu.customers.models import Customer

from .. import platforms as p
from ..models import (
    ChannelAccount,
    ChannelException,
    ChannelOrder,
    ChannelOrderEvent,
    SkuMapping,
)
from ._common import (
    CUSTOMER_PREFIX,
    State,
    _error_text,
)
from .follow import line_numbers

if TYPE_CHECKING:
    from zhongshu.orders.bulk import NewLine, NewOrder
    from zhongshu.orders.models import Order


class Converter:
    """The conversion half of ``Ingest``, which sets these attributes (see ``Ingest.__init__``)
    and routes addresses (``_region``, ``_unrouted``)."""

    account: ChannelAccount
    bot: Actor
    maps: dict[str, SkuMapping]
    customers: dict[str, Customer]
    known_customers: dict[str, Customer]
    counts: dict[str, int]
    fresh: set[int]
    pending: dict[str, tuple[ChannelOrder, p.ExternalOrder]] | None
    events: list[ChannelOrderEvent]

    def _region(self, ext: p.ExternalOrder) -> Region:
        raise NotImplementedError

    def _unrouted(self, co: ChannelOrder, ext: p.ExternalOrder) -> list[ChannelException]:
        raise NotImplementedError

    def _mapping(self, line: p.Line) -> SkuMapping | None:
        return self.maps.get(line.sku_id) or self.maps.get(line.outer_sku)

    def convert(self, co: ChannelOrder, ext: p.ExternalOrder) -> None:
        """Turn a paid channel order into a submitted internal order (inside ``apply_all``: queued
        for ``flush``)."""
        if self.pending is not None:
            self.pending[co.external_id] = (co, ext)
        else:
            self._convert_many([(co, ext)])

    def flush(self) -> None:
        if self.events:
            events, self.events = self.events, []
            insert_objects(events)
        if self.pending:
            items, self.pending = list(self.pending.values()), {}
            self._convert_many(items)

    def _convert_many(self, items: list[tuple[ChannelOrder, p.ExternalOrder]]) -> None:
        """Unmapped lines go to the exception queue; the rest become internal orders through the
        bulk paths of ``orders`` — ``orders_create_many`` then ``orders_transition_many``
        ("submit") — which write what ``order_create`` and ``order_transition`` write one by one,
        with the same refusals: an order refused at creation is an error on the channel order, one
        refused at submission (a blocking rule, e.g. no stock) waits as a draft and says why."""
        now = timezone.now()
        self._clear_stale_exceptions(items)
        changed: list[ChannelOrder] = []
        convert = self._hold_unconvertible(items, changed)
        specs = [self._order_spec(co, ext) for co, ext in convert]
        ready, customers = self._ready_with_customers(convert, specs, changed)
        submit = self._create_orders(ready, customers, changed)
        exts = {co.pk: ext for co, ext in convert}
        for co, _order in submit:  # internal line n is the platform's line n at conversion
            co.line_ids = line_numbers(exts[co.pk].lines)
        held = self._submit(submit)
        self._route(submit, exts)
        self._auto_confirm([(co, o) for co, o in submit if o.pk not in held])
        for co in changed:
            co.updated_at = now
        update_rows(
            ChannelOrder,
            changed,
            ["order", "customer", "tags", "state", "error", "line_ids", "updated_at"],
        )

    def _clear_stale_exceptions(self, items) -> None:
        """Exceptions of an earlier attempt go: this attempt writes its own."""
        stale = [co.pk for co, _e in items if co.pk not in self.fresh]
        self.fresh.difference_update(co.pk for co, _e in items)
        for i in range(0, len(stale), 500):
            ChannelException.objects.filter(
                channel_order_id__in=stale[i : i + 500], resolved_at__isnull=True
            ).delete()

    def _hold_unconvertible(self, items, changed: list) -> list:
        """Orders with an unmapped line, no lines, or an address in no region wait in the
        exception queue; the rest are returned for conversion."""
        unmapped, convert = [], []
        for co, ext in items:
            missing = [ln for ln in ext.lines if self._mapping(ln) is None]
            unrouted = self._unrouted(co, ext)  # a buyer address in no sales region
            if missing or not ext.lines or unrouted:
                unmapped.extend(unrouted)
                unmapped.extend(
                    ChannelException(channel_order=co, channel=self.account.kind,
                                     sku_id=ln.sku_id, outer_sku=ln.outer_sku, title=ln.title,
                                     quantity=ln.quantity)
                    for ln in missing
                )  # fmt: skip
                self._mark(
                    co, State.EXCEPTION, _("The order has no lines.") if not ext.lines else ""
                )
                changed.append(co)
            else:
                convert.append((co, ext))
        ChannelException.objects.bulk_create(unmapped, batch_size=500)
        return convert

    def _new_lines(self, ext: p.ExternalOrder) -> list["NewLine"]:
        """The internal order lines of an external order's (mapped) lines."""
        from zhongshu.orders.bulk import NewLine

        lines = []
        for ln in ext.lines:
            m = self._mapping(ln)
            if m is None:  # ``_hold_unconvertible`` keeps orders with an unmapped line back
                raise LookupError(f"no mapping for {ln.sku_id or ln.outer_sku}")
            lines.append(NewLine(
                material_id=m.material_id,
                quantity=ln.quantity * m.multiplier,
                unit_price=(ln.unit_price / m.multiplier).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP),
            ))  # fmt: skip
        return lines

    def _order_spec(self, co: ChannelOrder, ext: p.ExternalOrder) -> "NewOrder":
        from zhongshu.orders.bulk import NewOrder

        _key, code = self._customer_key(co.external_id, ext)
        known = self.customers.get(code) or self.known_customers.get(code)
        due = timezone.localdate() + dt.timedelta(days=self.account.lead_days)
        return NewOrder(
            customer_id=known.pk if known else None, due_date=due, lines=self._new_lines(ext),
            values={"external_no": co.external_id[:64], "payment_terms": "prepaid",
                    "note": _("%(channel)s order %(id)s") % {
                        "channel": self.account.get_kind_display(), "id": co.external_id}},
        )  # fmt: skip

    def _ready_with_customers(self, convert, specs, changed: list) -> tuple[list, list]:
        """Buyers not known yet become customers only for orders that can be created (orders of
        known buyers are checked by the creation itself)."""
        from zhongshu.orders.bulk import check_many

        new = [i for i, spec in enumerate(specs) if spec.customer_id is None]
        checked: list[DomainError | None] = [None] * len(specs)
        for i, failed in zip(new, check_many(actor=self.bot, orders=[specs[i] for i in new]),
                             strict=True):  # fmt: skip
            checked[i] = failed
        ready, customers = [], []
        for (co, ext), spec, refusal in zip(convert, specs, checked, strict=True):
            if refusal is None:
                try:
                    customer = self._customer(co, ext)
                except DomainError as exc:
                    refusal = exc
            if refusal is not None:
                self._mark(co, State.ERROR, _error_text(refusal))
                changed.append(co)
                continue
            spec.customer_id = customer.pk
            ready.append((co, spec))
            customers.append(customer)
        return ready, customers

    def _create_orders(self, ready, customers, changed: list) -> list[tuple[ChannelOrder, "Order"]]:
        from zhongshu.orders.bulk import orders_create_many

        created = orders_create_many(
            actor=self.bot,
            orders=[spec for _co, spec in ready],
            price_fields=("payment_terms", "unit_price"),
            channel=self.account.kind,
        )
        submit = []
        for (co, _spec), customer, order in zip(ready, customers, created, strict=True):
            changed.append(co)
            if isinstance(order, DomainError):
                self._mark(co, State.ERROR, _error_text(order))
                continue
            co.order, co.customer = order, customer
            co.tags = [f"channel:{self.account.kind}", f"tier:{customer.tier}"]
            co.state, co.error = State.ORDERED, ""
            submit.append((co, order))
            self.counts["ordered"] += 1
        return submit

    def _submit(self, submit: list[tuple[ChannelOrder, "Order"]]) -> set[int]:
        """Submit the new orders; returns the ids of those left as drafts."""
        from zhongshu.orders.bulk import orders_transition_many

        if not submit:
            return set()
        refused = orders_transition_many(
            actor=self.bot, orders=[order for _co, order in submit], action="submit", system=True
        ).refused
        for co, _order in submit:
            if co.order_id in refused:  # e.g. a blocking rule: the draft waits for sales
                text = _error_text(refused[co.order_id])
                co.error = (_("Created as draft; submission blocked: %(e)s") % {"e": text})[:500]
        return set(refused)

    def _route(self, submit: list[tuple[ChannelOrder, "Order"]], exts: dict) -> None:
        """The routing rules set each new order's owner, queue and tags (``services.routing``)."""
        from .routing import Routed, route_converted, skus_of

        routed = route_converted(bot=self.bot, orders=[
            Routed(order_id=order.pk, account=self.account, amount=co.amount,
                   tier=co.customer.tier if co.customer else "",
                   region_id=co.customer.region_id if co.customer else None,
                   skus=skus_of(exts[co.pk]))
            for co, order in submit
        ])  # fmt: skip
        for co, order in submit:
            if order.pk in routed:
                co.tags = [*co.tags, f"route:{routed[order.pk].name}"[:60]]

    def _auto_confirm(self, submitted: list[tuple[ChannelOrder, "Order"]]) -> None:
        """With the account's "confirm automatically" on, the paid orders just submitted are
        confirmed through ``orders_transition_many`` as the system: every guard (stock, credit,
        rules, approvals) still judges each order; one refused waits for a person and says why."""
        from zhongshu.orders.bulk import orders_transition_many

        if not self.account.auto_confirm or not submitted:
            return
        refused = orders_transition_many(
            actor=self.bot, order_ids=[o.pk for _co, o in submitted], action="confirm",
            system=True, note=_("Confirmed automatically (paid channel order)"),
        ).refused  # fmt: skip
        for co, order in submitted:
            if order.pk in refused:
                text = _error_text(refused[order.pk])
                co.error = (_("Not confirmed automatically: %(e)s") % {"e": text})[:500]

    def _mark(self, co: ChannelOrder, state, error="") -> None:
        co.state, co.error = state, str(error)[:500]

    def _customer_key(self, external_id: str, ext: p.ExternalOrder) -> tuple[str, str]:
        key = (ext.buyer_key or ext.phone or ext.buyer_name or external_id).strip()
        digest = hashlib.sha1(f"{self.account.kind}:{key}".encode()).hexdigest()[:12].upper()
        return key, f"{CUSTOMER_PREFIX[self.account.kind]}-{digest}"

    def _customer(self, co: ChannelOrder, ext: p.ExternalOrder) -> Customer:
        """Buyers match customers by platform + buyer id (the phone when the platform gives no id):
        the customer code is a hash of that key, e.g. TB-3F2A9C01D4E5."""
        key, code = self._customer_key(co.external_id, ext)
        if code in self.customers:
            return self.customers[code]
        customer = self.known_customers.get(code) or Customer.objects.filter(code=code).first()
        if customer is None:
            from zhongshu.customers.services import customer_create

            try:
                with transaction.atomic():
                    customer = customer_create(
                        actor=self.bot,
                        code=code,
                        name=(ext.buyer_name or key)[:120],
                        region=self._region(ext).name,
                        phone=ext.phone[:30],
                        contact=ext.buyer_name[:60],
                    )
            except (IntegrityError, DomainError):
                # the same buyer arrived at the same moment in another order: use theirs
                customer = Customer.objects.filter(code=code).first()
                if customer is None:
                    raise
        self.customers[code] = customer
        co.buyer_key = key[:120]
        return customer
