"""After conversion: a newer version of a converted channel order is handled or shown, never
dropped.

The internal order's lines are compared with what the newest version implies. A platform line is
matched to an internal line by the platform's own line id (Taobao sub-order ``oid``, Douyin sku
order id): ``ChannelOrder.line_ids`` maps each id to the internal line number it became, so a
platform that reorders its lines, drops one in the middle or adds one is read as exactly that.
A platform line without a known id takes the internal lines no id claims, in order; an order whose
platform gives no ids at all is matched by position (line ``n`` is the platform's line ``n``, as
the order was created). Then:

* a line the platform refunded is removed from the internal order (its reservation released by
  the "changed" effects) — from draft up to production, since the money is gone; if its work
  started or it shipped, the removal is refused and a ``refund`` exception asks a person;
* a line whose refund is still being decided is *held*: ``ChannelOrder.held_lines`` lists its
  internal line number and the ship guard (``hooks``) refuses to ship it;
* any other difference (quantity, lines, address, buyer's note) is applied while the order is
  still a draft or pending review — timeline entry "changed by channel" — and otherwise becomes a
  design-change request on the order (approvals) plus a ``change`` exception the owner sees;
* once a person edited the order after conversion, nothing is applied by itself: every
  difference becomes an exception (``change``, refunds ``refund``) — the platform never
  overwrites a person's edit.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.core.errors import DomainError
from zhongshu.orders.models import Order
from zhongshu.orders.statuses import EDITABLE, OPEN

from .. import platforms as p
from ..models import ChannelException, ChannelOrder
from ._common import _error_text

Reason = ChannelException.Reason


def line_numbers(lines: list[p.Line]) -> dict[str, int]:
    """The platform's line ids with their place (from 1): what ``ChannelOrder.line_ids`` holds
    right after conversion. Empty when a line has no id or two share one (matched by position)."""
    ids = [ln.line_id for ln in lines]
    if not all(ids) or len(set(ids)) != len(ids):
        return {}
    return {line_id: no for no, line_id in enumerate(ids, start=1)}


class Difference:
    """What a version asks of the internal order: line changes for ``order_apply_change``, split
    into refunds and the rest, plus the address/note changes (kept on the timeline)."""

    def __init__(self) -> None:
        self.refunds: list[dict] = []  # {"line_no": n, "remove": True}
        self.lines: list[dict] = []  # other line changes, in order_apply_change's shape
        self.words: list[str] = []  # what changed, in words, for the timeline and exceptions
        self.other: dict[str, Any] = {}  # address / buyer_note: {"before", "after"}
        self.unmapped: list[str] = []
        self.kept: dict[str, int] = {}  # platform line id → internal line kept as it is
        self.added: list[str] = []  # platform line ids of the lines added, in order
        self.refunded: set[str] = set()  # platform line ids of the lines refunded
        self.held: list[int] = []  # internal lines whose refund is pending on the platform
        self.has_ids = False  # every platform line has its id: ``line_ids`` can be kept

    def __bool__(self) -> bool:
        return bool(self.refunds or self.lines or self.other or self.unmapped)


def match(co: ChannelOrder, numbers: list[int], ext: p.ExternalOrder) -> list[int | None]:
    """The internal line number each platform line is (None: a line the order does not have).
    ``numbers`` are the internal order's line numbers now."""
    known = co.line_ids or {}
    if not known:  # the platform gives no line ids: by position
        return [no for no in range(1, len(ext.lines) + 1)]
    matched: list[int | None] = [known.get(ln.line_id) if ln.line_id else None for ln in ext.lines]
    claimed = set(known.values())
    free = iter(no for no in sorted(numbers) if no not in claimed)
    for i, ln in enumerate(ext.lines):
        if matched[i] is None and ln.refund != p.REFUNDED:  # a refunded line never adds one
            matched[i] = next(free, None)
    return matched


def difference(ingest, co: ChannelOrder, order: Order, ext: p.ExternalOrder,
               old: p.ExternalOrder | None) -> Difference:  # fmt: skip
    diff = Difference()
    current = {ln.line_no: ln for ln in order.lines.select_related("material")}
    matched = match(co, list(current), ext)
    diff.has_ids = bool(ext.lines) and all(ln.line_id for ln in ext.lines)
    for at, (ln, no) in enumerate(zip(ext.lines, matched, strict=True), start=1):
        cur = current.pop(no, None) if no is not None else None
        n = cur.line_no if cur is not None else at
        if ln.refund == p.PENDING and (cur is not None or not co.line_ids):
            diff.held.append(n)
        if ln.refund == p.REFUNDED:
            if cur is not None:
                diff.refunds.append({"line_no": n, "remove": True})
                diff.words.append(_("line %(n)d refunded") % {"n": n})
                diff.refunded.add(ln.line_id)
            continue
        m = ingest._mapping(ln)
        if m is None:
            diff.unmapped.append(ln.sku_id or ln.outer_sku)
            diff.words.append(_("line %(n)d: unmapped SKU %(sku)s")
                              % {"n": n, "sku": ln.sku_id or ln.outer_sku})  # fmt: skip
            continue
        qty = ln.quantity * m.multiplier
        if cur is not None and cur.material_id == m.material_id:
            diff.kept[ln.line_id] = n
            if cur.quantity != qty:
                diff.lines.append({"line_no": n, "quantity": _num(qty)})
                diff.words.append(_("line %(n)d: quantity %(a)s → %(b)s")
                                  % {"n": n, "a": _num(cur.quantity), "b": _num(qty)})  # fmt: skip
            continue
        if cur is not None:
            diff.lines.append({"line_no": n, "remove": True})
        price = (ln.unit_price / m.multiplier).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        diff.lines.append({"material": m.material.code, "quantity": _num(qty),
                           "unit_price": str(price)})  # fmt: skip
        diff.added.append(ln.line_id)
        diff.words.append(_("line %(n)d: %(material)s × %(q)s")
                          % {"n": n, "material": m.material.code, "q": _num(qty)})  # fmt: skip
    for no in sorted(current):  # lines the platform's order no longer has
        diff.lines.append({"line_no": no, "remove": True})
        diff.words.append(_("line %(n)d removed") % {"n": no})
    if old is not None:
        before, after = old.signature(), ext.signature()
        for key, label in (("address", _("address")), ("buyer_note", _("buyer's note"))):
            if before[key] != after[key]:
                diff.other[key] = {"before": before[key], "after": after[key]}
                diff.words.append(f"{label}: {before[key] or '-'} → {after[key] or '-'}")
    return diff


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def follow(ingest, co: ChannelOrder, ext: p.ExternalOrder, old: p.ExternalOrder | None) -> None:
    """Bring the internal order behind ``co`` in line with ``ext``, or say why not."""
    order = Order.objects.filter(pk=co.order_id).first() if co.order_id is not None else None
    if order is None:
        return
    diff = difference(ingest, co, order, ext, old)
    _hold(co, diff.held)
    if not diff:
        _remember(co, diff, diff.kept)
        return
    if co.pk in ingest.ties:
        ingest.ties.discard(co.pk)
        _exception(co, Reason.CHANGE, "; ".join(diff.words),
                   _("Two versions of this order share one second on the platform: check the "
                     "order against the platform."))  # fmt: skip
        ingest.counts["flagged"] += 1
    kept = {i for i, ln in enumerate(ext.lines, start=1) if ln.refund != p.REFUNDED}
    if not kept and order.status in OPEN:
        ingest._close(co)  # every line refunded: the order is cancelled as on a close
        return
    where = _("%(channel)s order %(id)s") % {
        "channel": ingest.account.get_kind_display(), "id": co.external_id}  # fmt: skip
    if (editor := _edited_by(order, ingest.bot)) is not None:
        _flag_edited(ingest, co, diff, editor)
        return
    if order.status in EDITABLE and not diff.unmapped:
        if _apply(ingest, co, order, diff.refunds + diff.lines, diff, where):
            ingest.counts["changed"] += 1
        return
    if diff.refunds:
        if order.status in OPEN:
            if _apply(ingest, co, order, diff.refunds, diff, where, reason=Reason.REFUND):
                ingest.counts["changed"] += 1
        else:  # shipped, completed or cancelled: money back for goods that left is a person's call
            _exception(
                co,
                Reason.REFUND,
                "; ".join(_refund_words(diff)),
                _("The order is %(status)s.") % {"status": order.get_status_display()},
            )
            ingest.counts["flagged"] += 1
        diff.words = [w for w in diff.words if w not in _refund_words(diff)]
        diff.refunds = []
    if diff.lines or diff.other or diff.unmapped:
        _flag_change(ingest, co, order, diff, where)


def _edited_by(order: Order, bot) -> str | None:
    """Who edited the order by hand after conversion (the channel's bot created it); None when
    nobody did."""
    event = (
        order.events.filter(action="updated").exclude(actor_id=bot.pk)
        .select_related("actor").order_by("-id").first()
    )  # fmt: skip
    if event is None:
        return None
    return event.actor.get_username() if event.actor is not None else "-"


def _flag_edited(ingest, co: ChannelOrder, diff: Difference, editor: str) -> None:
    """A person edited the order: the platform's change is shown, not applied over the edit."""
    note = _("%(user)s edited the order after conversion: compare it with the platform and "
             "change it by hand.") % {"user": editor}  # fmt: skip
    if diff.refunds:
        _exception(co, Reason.REFUND, "; ".join(_refund_words(diff)), note)
        ingest.counts["flagged"] += 1
    rest = [w for w in diff.words if w not in _refund_words(diff)]
    if rest:
        _exception(co, Reason.CHANGE, "; ".join(rest), note)
        ingest.counts["flagged"] += 1


def _remember(co: ChannelOrder, diff: Difference, ids: dict[str, int]) -> None:
    """Keep which internal line each platform line id is (only when every line has an id)."""
    if not diff.has_ids:
        return
    if ids != (co.line_ids or {}):
        co.line_ids = ids
        ChannelOrder.objects.filter(pk=co.pk).update(line_ids=ids)


def _refund_words(diff: Difference) -> list[str]:
    return [_("line %(n)d refunded") % {"n": r["line_no"]} for r in diff.refunds]


def _apply(ingest, co, order, lines: list[dict], diff: Difference, where: str,
           reason: str = Reason.CHANGE) -> bool:  # fmt: skip
    """Apply line changes to the order (a savepoint: a refusal leaves the order as it was and
    becomes an exception)."""
    from zhongshu.orders.services import order_apply_change

    words = diff.words if reason == Reason.CHANGE else _refund_words(diff)
    before = set(order.lines.values_list("pk", flat=True))
    try:
        with transaction.atomic():
            order_apply_change(
                actor=ingest.bot, order_id=order.pk, changes={"lines": lines}, system=True,
                note=_("Changed on %(where)s: %(what)s") % {"where": where,
                                                            "what": "; ".join(words)},
                by_channel={"external_id": co.external_id, **diff.other},
            )  # fmt: skip
    except DomainError as exc:
        _exception(co, reason, "; ".join(words), _error_text(exc))
        ingest.counts["flagged"] += 1
        return False
    if reason != Reason.CHANGE:  # only the refunded lines went
        ids = {k: v for k, v in (co.line_ids or {}).items() if k not in diff.refunded}
    else:
        new = (
            order.lines.exclude(pk__in=before).order_by("line_no").values_list("line_no", flat=True)
        )
        ids = {**diff.kept, **dict(zip(diff.added, new, strict=False))}
    _remember(co, diff, ids)
    return True


def _flag_change(ingest, co, order, diff: Difference, where: str) -> None:
    """A change the order cannot take by itself: a design-change request when the approvals can
    take it (lines of a released order), and always an exception."""
    note = ""
    if diff.lines and not diff.unmapped:
        note = _request_change(ingest, order, diff, where)
    _exception(co, Reason.CHANGE, "; ".join(diff.words), note)
    ingest.counts["flagged"] += 1


def _request_change(ingest, order, diff: Difference, where: str) -> str:
    try:
        from zhongshu.approvals.services import request_create
    except ImportError:
        return _("Approvals are not available: change the order by hand.")
    try:
        with transaction.atomic():
            request = request_create(
                actor=ingest.bot, order_id=order.pk, kind="design_change",
                reason=_("Changed on %(where)s after conversion: %(what)s")
                % {"where": where, "what": "; ".join(diff.words)},
                payload={"lines": diff.lines},
            )  # fmt: skip
        return _("Change request %(id)s waits for approval.") % {"id": request.pk}
    except DomainError as exc:
        return _("No change request: %(e)s") % {"e": _error_text(exc)}


def _exception(co: ChannelOrder, reason: str, what: str, note: str) -> None:
    """One open exception per channel order, reason and difference: a replay adds nothing."""
    detail = f"{what}\n{note}".strip()[:4000]
    if ChannelException.objects.filter(
        channel_order=co, reason=reason, detail=detail, resolved_at__isnull=True
    ).exists():
        return
    ChannelException.objects.create(
        channel_order=co, channel=co.account.kind, reason=reason, title=what[:200], detail=detail
    )


def _hold(co: ChannelOrder, held: list[int]) -> None:
    """Lines whose refund is still being decided must not ship."""
    held = sorted(held)
    if held != list(co.held_lines or []):
        co.held_lines = held
        co.updated_at = timezone.now()
        ChannelOrder.objects.filter(pk=co.pk).update(held_lines=held, updated_at=co.updated_at)
