"""Channel use cases: accounts, SKU mappings, the exception queue, ingestion of external orders
(pull, push, agent sheets) and their conversion into internal orders, and logistics reports.

The system actor is the user ``channel-bot``: active (so the permission module grants it its roles)
but with an unusable password, so nobody can log in as it. It holds the sales role (create, submit,
create customers) and the planner role (every region's customers). Channel orders, customers and
cancellations it makes are audited under its name.
"""

import datetime as dt
import hashlib
import logging
import secrets
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts.models import Region
from zhongshu.catalog.models import Material
from zhongshu.core import jsonbody, sheets
from zhongshu.core.bulk import insert_objects, update_rows
from zhongshu.core.errors import DomainError, NotFound, ValidationFailed
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_text
from zhongshu.customers.models import Customer
from zhongshu.orders import hooks
from zhongshu.orders.models import Order
from zhongshu.orders.statuses import OPEN, OrderStatus

from . import crypto
from . import platforms as p
from .models import (
    ChannelAccount,
    ChannelException,
    ChannelKind,
    ChannelOrder,
    ChannelOrderEvent,
    SkuMapping,
)

log = logging.getLogger(__name__)
BOT_USERNAME = "channel-bot"
BOT_ROLES = ("sales", "planner")
CUSTOMER_PREFIX = {"taobao": "TB", "douyin": "DY", "agent": "AG"}
State = ChannelOrder.State

# --- the system actor -------------------------------------------------------------------------------


def channel_bot():
    User = get_user_model()
    bot = User.objects.filter(username=BOT_USERNAME).first()
    if bot is None:
        from zhongshu.accounts.services import user_create

        try:
            with transaction.atomic():
                bot = user_create(
                    actor=None,
                    username=BOT_USERNAME,
                    password=secrets.token_urlsafe(32),
                    roles=list(BOT_ROLES),
                    regions=[],
                    check_password_strength=False,
                )
                bot.set_unusable_password()
                bot.save(update_fields=["password"])
        except IntegrityError:
            bot = User.objects.get(username=BOT_USERNAME)
    return bot


# --- accounts -------------------------------------------------------------------------------------

SECRET_FIELDS = {"secret": "secret_enc", "token": "token_enc"}


def _clean_account(errors: Errors, data: dict, *, creating: bool, kind: str) -> dict:
    out: dict[str, Any] = {}
    if creating or "name" in data:
        out["name"] = clean_text(errors, "name", data.get("name"), max_length=60, required=True)
    for f, n in (("base_url", 200), ("app_key", 80), ("shop_id", 40)):
        if f in data and data[f] is not None:
            out[f] = clean_text(errors, f, data[f], max_length=n)
    if out.get("base_url") and not out["base_url"].startswith(("http://", "https://")):
        errors.add("base_url", _("Enter a URL starting with http:// or https://."))
    if creating or data.get("default_region") is not None:
        name = normalize_text(data.get("default_region"))
        region = Region.objects.filter(name=name).first() if name else None
        if region is None:
            errors.add("default_region", _("Unknown region: %(name)s") % {"name": name or "-"})
        out["default_region"] = region
    for f, lo, hi in (("lead_days", 0, 365), ("overlap_seconds", 0, 86400)):
        if data.get(f) is not None:
            try:
                v = int(data[f])
                if not lo <= v <= hi:
                    raise ValueError
                out[f] = v
            except (TypeError, ValueError):
                errors.add(
                    f, _("Enter a whole number from %(lo)d to %(hi)d.") % {"lo": lo, "hi": hi}
                )
    if data.get("is_active") is not None:
        out["is_active"] = bool(data["is_active"])
    for f, column in SECRET_FIELDS.items():
        value = data.get(f)
        if value:  # empty = keep what is stored
            out[column] = crypto.encrypt(clean_text(errors, f, value, max_length=500) or "")
    if kind in (ChannelKind.TAOBAO, ChannelKind.DOUYIN) and creating:
        for f in ("base_url", "app_key", "secret", "token"):
            if not data.get(f):
                errors.add(f, _("This field is required."))
    return out


@transaction.atomic
def account_create(*, actor, kind: str, **data) -> tuple[ChannelAccount, str]:
    """Create an account. For agents the API key is returned here once and stored hashed."""
    permissions.require(actor, "channels.manage")
    errors = Errors()
    kind = clean_choice(errors, "kind", kind, ChannelKind)
    cleaned = _clean_account(errors, data, creating=True, kind=kind)
    if cleaned.get("name") and ChannelAccount.objects.filter(name=cleaned["name"]).exists():
        errors.add("name", _("An account with this name exists already."))
    errors.raise_if_any()
    account = ChannelAccount(kind=kind, **cleaned)
    key = ""
    if kind == ChannelKind.AGENT:
        key = _new_agent_key(account)
    account.save()
    return account, key


def _new_agent_key(account: ChannelAccount) -> str:
    key = "zsa_" + secrets.token_urlsafe(24)
    account.api_key_hash = crypto.hash_api_key(key)
    account.api_key_prefix = key[:8]
    return key


@transaction.atomic
def account_update(*, actor, account_id: Any, data: dict) -> ChannelAccount:
    permissions.require(actor, "channels.manage")
    account = permissions.get_in_scope(ChannelAccount.objects.select_for_update(), pk=account_id)
    errors = Errors()
    cleaned = _clean_account(errors, data, creating=False, kind=account.kind)
    if (
        cleaned.get("name")
        and ChannelAccount.objects.filter(name=cleaned["name"]).exclude(pk=account.pk).exists()
    ):
        errors.add("name", _("An account with this name exists already."))
    errors.raise_if_any()
    for k, v in cleaned.items():
        setattr(account, k, v)
    account.save()
    return account


@transaction.atomic
def agent_key_rotate(*, actor, account_id: Any) -> tuple[ChannelAccount, str]:
    permissions.require(actor, "channels.manage")
    account = permissions.get_in_scope(
        ChannelAccount.objects.select_for_update().filter(kind=ChannelKind.AGENT), pk=account_id
    )
    key = _new_agent_key(account)
    account.save(update_fields=["api_key_hash", "api_key_prefix"])
    return account, key


def agent_for_key(key: str) -> ChannelAccount | None:
    if not key or len(key) > 100:
        return None
    return ChannelAccount.objects.filter(
        kind=ChannelKind.AGENT, is_active=True, api_key_hash=crypto.hash_api_key(key.strip())
    ).first()


def credentials(account: ChannelAccount) -> tuple[str, str]:
    return crypto.decrypt(account.secret_enc) or "", crypto.decrypt(account.token_enc) or ""


def client_for(account: ChannelAccount):
    secret, token = credentials(account)
    if account.kind == ChannelKind.TAOBAO:
        return p.TaobaoClient(
            base_url=account.base_url, app_key=account.app_key, secret=secret, session=token
        )
    if account.kind == ChannelKind.DOUYIN:
        return p.DouyinClient(
            base_url=account.base_url, app_key=account.app_key, secret=secret, token=token
        )
    return None


# --- SKU mappings ---------------------------------------------------------------------------------


def _clean_mapping(errors: Errors, data: dict, prefix: str = "") -> dict:
    channel = clean_choice(errors, f"{prefix}channel", data.get("channel"), ChannelKind)
    sku = clean_text(errors, f"{prefix}channel_sku", normalize_text(data.get("channel_sku")),
                     max_length=64, required=True)  # fmt: skip
    code = normalize_code(data.get("material"))
    material = Material.objects.filter(code=code).first() if code else None
    if material is None:
        errors.add(f"{prefix}material", _("Unknown material: %(code)s") % {"code": code or "-"})
    multiplier = None
    try:
        multiplier = Decimal(str(data.get("multiplier") or "1")).quantize(Decimal("0.001"))
        if not Decimal(0) < multiplier < Decimal(10**6):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.add(f"{prefix}multiplier", _("Enter a positive number."))
    return {"channel": channel, "channel_sku": sku, "material": material, "multiplier": multiplier}


def _upsert(actor, c: dict) -> SkuMapping:
    mapping, _created = SkuMapping.objects.update_or_create(
        channel=c["channel"],
        channel_sku=c["channel_sku"],
        defaults={"material": c["material"], "multiplier": c["multiplier"],
                  "updated_by": actor if getattr(actor, "pk", None) else None},
    )  # fmt: skip
    return mapping


@transaction.atomic
def mapping_save(*, actor, data: dict) -> SkuMapping:
    """Create or replace the mapping of one channel SKU (the unique key is channel + SKU)."""
    permissions.require(actor, "channels.map_sku")
    errors = Errors()
    cleaned = _clean_mapping(errors, data)
    errors.raise_if_any()
    return _upsert(actor, cleaned)


@transaction.atomic
def mapping_delete(*, actor, mapping_id: Any) -> None:
    permissions.require(actor, "channels.map_sku")
    permissions.get_in_scope(SkuMapping.objects.all(), pk=mapping_id).delete()


MAPPING_HEADERS = {
    "channel": ("channel", "渠道"),
    "channel_sku": ("channel_sku", "渠道sku", "sku", "渠道SKU"),
    "material": ("material", "物料编码"),
    "multiplier": ("multiplier", "数量倍数", "倍数"),
}


@transaction.atomic
def mapping_import(*, actor, filename: str, content: bytes) -> int:
    """Mappings from an xlsx/csv sheet (headers: channel, channel_sku, material, multiplier; the
    Chinese names 渠道, 渠道SKU, 物料编码, 数量倍数 too). All rows or none (422 lists every bad row)."""
    permissions.require(actor, "channels.map_sku")
    rows = read_sheet(filename, content)
    errors = Errors()
    cleaned = []
    for i, row in enumerate(rows, start=2):
        cleaned.append(_clean_mapping(errors, row, prefix=f"row {i}: "))
    if not rows:
        errors.add("file", _("The sheet has no rows."))
    errors.raise_if_any()
    for c in cleaned:
        _upsert(actor, c)
    return len(cleaned)


def read_sheet(filename: str, content: bytes) -> list[dict[str, Any]]:
    """Rows of the first sheet as dicts keyed by canonical header (see ``MAPPING_HEADERS`` and
    ``AGENT_HEADERS``); blank rows skipped. Unreadable files are a 422, never a 500."""
    import csv
    import io

    name = (filename or "").lower()
    try:
        if name.endswith(".csv"):
            text = content.decode("utf-8-sig")
            table = [r for r in csv.reader(io.StringIO(text))]
        else:
            table = sheets.read_grid(content, name, keep_empty_area=False).rows
    except sheets.SheetRefused as exc:
        raise ValidationFailed({"file": exc.message}) from None
    except Exception as exc:  # calamine raises its own types for every kind of bad file
        raise ValidationFailed({"file": _("The file could not be read as xlsx or csv.")}) from exc
    if not table:
        return []
    aliases = {a.lower(): k for k, names in (MAPPING_HEADERS | AGENT_HEADERS).items()
               for a in names}  # fmt: skip
    header = [aliases.get(normalize_text(str(h)).lower(), "") for h in table[0]]
    rows = []
    for raw in table[1 : 1 + 5000]:
        row = {header[i]: v for i, v in enumerate(raw) if i < len(header) and header[i]}
        if any(str(v).strip() for v in row.values()):
            rows.append({k: (str(v).strip() if not isinstance(v, float) else
                             (str(int(v)) if v == int(v) else str(v))) for k, v in row.items()})  # fmt: skip
    return rows


# --- ingestion ------------------------------------------------------------------------------------


class Ingest:
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
        self.counts = {"seen": 0, "created": 0, "updated": 0, "ignored": 0, "ordered": 0}
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
        first: dict[str, p.ExternalOrder] = {}
        for ext in orders:
            if ext.external_id not in self.known:
                first.setdefault(ext.external_id, ext)
        new = [self._new_order(first[k]) for k in sorted(first)]  # a fixed lock order
        for co in insert_objects(new, skip_conflicts=True, key="external_id"):
            self.known[co.external_id] = co
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
        codes = set()
        for i in range(0, len(ids), 500):
            self.known.update(
                (co.external_id, co)
                for co in ChannelOrder.objects.select_for_update()
                .filter(account=self.account, external_id__in=ids[i : i + 500])
                .order_by("pk")  # lock in a fixed order
            )
        for ext in orders:
            codes.add(self._customer_key(ext.external_id, ext)[1])
        codes = sorted(codes - set(self.customers))
        for i in range(0, len(codes), 500):
            self.known_customers.update(
                (c.code, c) for c in Customer.objects.filter(code__in=codes[i : i + 500])
            )

    def apply(self, ext: p.ExternalOrder) -> ChannelOrder | None:
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
        elif not self._newer(co, ext):
            return co
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
        a replay."""
        kind = self.account.kind
        if p.version_key(kind, ext.modified_at, ext.status) <= p.version_key(
            kind, co.modified_at, co.status
        ):
            self.counts["ignored"] += 1
            return False
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
            from .addresses import Router

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
        from .addresses import place

        return [ChannelException(
            channel_order=co, channel=self.account.kind, reason=ChannelException.Reason.ADDRESS,
            province=place(ext.province)[:30], city=place(ext.city)[:30],
            title=f"{ext.province} {ext.city}".strip()[:200],
        )]  # fmt: skip

    # --- what a status means for the internal order ----------------------------------------------

    def _act(self, co: ChannelOrder, ext: p.ExternalOrder) -> None:
        if ext.phase == p.PAID:
            if co.order_id is None and co.state in (State.WAITING, State.EXCEPTION, State.ERROR):
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
        from zhongshu.orders.bulk import (
            NewLine,
            NewOrder,
            check_many,
            orders_create_many,
            orders_transition_many,
        )

        now = timezone.now()
        stale = [co.pk for co, _e in items if co.pk not in self.fresh]
        self.fresh.difference_update(co.pk for co, _e in items)
        for i in range(0, len(stale), 500):
            ChannelException.objects.filter(
                channel_order_id__in=stale[i : i + 500], resolved_at__isnull=True
            ).delete()
        unmapped, changed, convert = [], [], []
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

        due = timezone.localdate() + dt.timedelta(days=self.account.lead_days)
        kind_label = self.account.get_kind_display()
        specs = []
        for co, ext in convert:
            _key, code = self._customer_key(co.external_id, ext)
            known = self.customers.get(code) or self.known_customers.get(code)
            lines = []
            for ln in ext.lines:
                m = self._mapping(ln)
                lines.append(NewLine(
                    material_id=m.material_id,
                    quantity=ln.quantity * m.multiplier,
                    unit_price=(ln.unit_price / m.multiplier).quantize(
                        Decimal("0.01"), rounding=ROUND_HALF_UP),
                ))  # fmt: skip
            specs.append(NewOrder(
                customer_id=known.pk if known else None, due_date=due, lines=lines,
                values={"external_no": co.external_id[:64], "payment_terms": "prepaid",
                        "note": _("%(channel)s order %(id)s") % {
                            "channel": kind_label, "id": co.external_id}},
            ))  # fmt: skip
        # buyers not known yet become customers only for orders that can be created (orders of
        # known buyers are checked by the creation itself)
        new = [i for i, spec in enumerate(specs) if spec.customer_id is None]
        checked: list = [None] * len(specs)
        for i, refusal in zip(new, check_many(actor=self.bot, orders=[specs[i] for i in new]),
                              strict=True):  # fmt: skip
            checked[i] = refusal
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
        created = orders_create_many(
            actor=self.bot,
            orders=[spec for _co, spec in ready],
            price_fields=("payment_terms", "unit_price"),
            channel=self.account.kind,
        )
        submit = []
        for (co, _spec), customer, order in zip(ready, customers, created, strict=True):
            if isinstance(order, DomainError):
                self._mark(co, State.ERROR, _error_text(order))
                changed.append(co)
                continue
            co.order, co.customer = order, customer
            co.tags = [f"channel:{self.account.kind}", f"tier:{customer.tier}"]
            co.state, co.error = State.ORDERED, ""
            submit.append(co)
            changed.append(co)
            self.counts["ordered"] += 1
        if submit:
            refused = orders_transition_many(
                actor=self.bot, orders=[co.order for co in submit], action="submit", system=True
            ).refused
            for co in submit:
                if co.order_id in refused:  # e.g. a blocking rule: the draft waits for sales
                    text = _error_text(refused[co.order_id])
                    co.error = (_("Created as draft; submission blocked: %(e)s") % {"e": text})[
                        :500
                    ]
        for co in changed:
            co.updated_at = now
        update_rows(
            ChannelOrder, changed, ["order", "customer", "tags", "state", "error", "updated_at"]
        )

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


def _error_text(exc: DomainError) -> str:
    errs = exc.details.get("errors") if isinstance(exc.details, dict) else None
    if errs:
        return "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errs)[:500]
    return str(exc.message)[:500]


def normalize(kind: str, raw: dict) -> p.ExternalOrder | None:
    if kind == ChannelKind.TAOBAO:
        return p.normalize_taobao(raw)
    if kind == ChannelKind.DOUYIN:
        return p.normalize_douyin(raw)
    return normalize_agent(raw)


# --- exception queue ------------------------------------------------------------------------------


def retry_channel_order(*, actor, channel_order_id: Any) -> ChannelOrder:
    """Convert a waiting channel order again (after its SKUs were mapped)."""
    permissions.require(actor, "channels.map_sku")
    scoped = permissions.scope_channel_orders(actor, ChannelOrder.objects.all())
    co = permissions.get_in_scope(scoped, pk=channel_order_id)
    return _retry(co.pk)


def _retry(channel_order_id: int) -> ChannelOrder:
    with transaction.atomic():
        co = (
            ChannelOrder.objects.select_for_update()
            .select_related("account")
            .get(pk=channel_order_id)
        )
        ext = normalize(co.account.kind, co.payload)
        if ext is None or co.order_id is not None or ext.phase != p.PAID:
            return co
        Ingest(co.account, source=co.source).convert(co, ext)
        return co


def map_and_retry(*, actor, exception_id: Any, material: str, multiplier: Any = 1) -> dict:
    """Map the SKU of one exception line, then retry every channel order waiting on that SKU (in
    every region: the mapping is per channel, and the orders are converted by the channel bot)."""
    permissions.require(actor, "channels.map_sku")
    exc = permissions.get_in_scope(
        permissions.scope_channel_orders(
            actor, ChannelException.objects.filter(resolved_at__isnull=True), "channel_order__"
        ),
        pk=exception_id,
    )
    if exc.reason != ChannelException.Reason.SKU:
        raise ValidationFailed(
            {"material": _("This order waits for a sales region, not a mapping: choose a region.")}
        )
    sku = exc.sku_id or exc.outer_sku
    mapping = mapping_save(
        actor=actor,
        data={"channel": exc.channel, "channel_sku": sku, "material": material,
              "multiplier": multiplier},
    )  # fmt: skip
    waiting = list(
        ChannelOrder.objects.filter(
            state=State.EXCEPTION,
            account__kind=exc.channel,
            exceptions__resolved_at__isnull=True,
            exceptions__reason=ChannelException.Reason.SKU,
            exceptions__sku_id=exc.sku_id,
            exceptions__outer_sku=exc.outer_sku,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    retried = [_retry(pk) for pk in waiting]
    return {
        "mapping_id": mapping.pk,
        "retried": len(retried),
        "ordered": sum(1 for co in retried if co.state == State.ORDERED),
    }


@transaction.atomic
def exception_dismiss(*, actor, exception_id: Any, note: str = "") -> ChannelOrder:
    """Resolve an exception without an internal order (e.g. a test order or a gift line handled by
    hand): the channel order is closed with the reason and the actor's name."""
    permissions.require(actor, "channels.map_sku")
    exc = permissions.get_in_scope(
        permissions.scope_channel_orders(
            actor, ChannelException.objects.filter(resolved_at__isnull=True), "channel_order__"
        ),
        pk=exception_id,
    )
    co = ChannelOrder.objects.select_for_update().get(pk=exc.channel_order_id)
    ChannelException.objects.filter(channel_order=co, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
    reason = normalize_text(note)[:300] or _("Dismissed")
    co.state = State.CLOSED
    co.error = f"{reason} ({actor.get_username()})"[:500]
    co.save(update_fields=["state", "error", "updated_at"])
    ChannelOrderEvent.objects.create(channel_order=co, status=co.status, modified_at=co.modified_at,
                                     source="manual", note=co.error[:200])  # fmt: skip
    return co


# --- address → region rules ----------------------------------------------------------------------


def _clean_rule(errors: Errors, actor, data: dict) -> dict:
    from .addresses import place

    province = place(data.get("province"))
    city = place(data.get("city"))
    if not province:
        errors.add("province", _("This field is required."))
    for f, v in (("province", province), ("city", city)):
        if len(v) > 30:
            errors.add(f, _("At most %(n)d characters.") % {"n": 30})
    name = normalize_text(data.get("region"))
    region = Region.objects.filter(name=name).first() if name else None
    if region is None:
        errors.add("region", _("Unknown region: %(name)s") % {"name": name or "-"})
    elif not permissions.region_allowed(actor, region.id):
        errors.add("region", _("You cannot route orders to region %(name)s.") % {"name": name})
    return {"province": province, "city": city, "region": region}


@transaction.atomic
def address_rule_save(*, actor, data: dict):
    """Create or replace the region of a province (``city`` empty) or of one city in it."""
    from .models import AddressRegion

    permissions.require(actor, "channels.map_sku")
    errors = Errors()
    c = _clean_rule(errors, actor, data)
    errors.raise_if_any()
    rule, _created = AddressRegion.objects.update_or_create(
        province=c["province"], city=c["city"],
        defaults={"region": c["region"], "updated_by": actor if getattr(actor, "pk", None) else None},
    )  # fmt: skip
    return rule


@transaction.atomic
def address_rule_delete(*, actor, rule_id: Any) -> None:
    from .models import AddressRegion

    permissions.require(actor, "channels.map_sku")
    permissions.get_in_scope(AddressRegion.objects.all(), pk=rule_id).delete()


def route_and_retry(*, actor, exception_id: Any, region: str, city_only: bool = False) -> dict:
    """The one-click fix of an address in no sales region: route its province (or, with
    ``city_only``, just its city) to ``region``, then retry every channel order waiting on an
    address that the new rule covers."""
    permissions.require(actor, "channels.map_sku")
    exc = permissions.get_in_scope(
        permissions.scope_channel_orders(
            actor, ChannelException.objects.filter(resolved_at__isnull=True), "channel_order__"
        ),
        pk=exception_id,
    )
    if exc.reason != ChannelException.Reason.ADDRESS:
        raise ValidationFailed(
            {"region": _("This order waits for a SKU mapping, not a region: map the SKU.")}
        )
    rule = address_rule_save(
        actor=actor,
        data={"province": exc.province, "city": exc.city if city_only else "", "region": region},
    )
    covered = ChannelException.objects.filter(
        resolved_at__isnull=True, reason=ChannelException.Reason.ADDRESS, province=rule.province
    )
    if rule.city:
        covered = covered.filter(city=rule.city)
    waiting = list(
        ChannelOrder.objects.filter(state=State.EXCEPTION, exceptions__in=covered)
        .values_list("pk", flat=True)
        .distinct()
    )
    retried = [_retry(pk) for pk in waiting]
    return {
        "rule_id": rule.pk,
        "retried": len(retried),
        "ordered": sum(1 for co in retried if co.state == State.ORDERED),
    }


# --- pushes ---------------------------------------------------------------------------------------


def push_taobao(form: dict[str, str]) -> ChannelOrder:
    """A TOP message: form fields signed like an API call (``sign`` over every other field)."""

    from .exceptions import BadSignature, Unauthenticated

    app_key, sign = form.get("app_key") or "", form.get("sign") or ""
    account = ChannelAccount.objects.filter(
        kind=ChannelKind.TAOBAO, app_key=app_key, is_active=True
    ).first() if app_key else None  # fmt: skip
    if account is None or not sign:
        raise Unauthenticated()
    secret, _token = credentials(account)
    method = form.get("sign_method") or "md5"
    try:
        expected = p.top_sign(form, secret, method)
    except ValueError:
        raise BadSignature() from None
    if not secret or not _consteq(sign.upper(), expected):
        raise BadSignature()
    stamp = p.parse_top_time(form.get("timestamp"))
    if stamp is None or abs((stamp - dt.datetime.now(dt.UTC)).total_seconds()) > 600:
        raise BadSignature(_("The timestamp is missing or more than 10 minutes off."))
    try:
        ext = p.normalize_taobao(jsonbody.loads(form.get("content") or ""))
    except (ValueError, AttributeError):
        ext = None
    if ext is None:
        raise ValidationFailed({"content": _("The message carries no readable trade.")})
    with transaction.atomic():
        return Ingest(account, source="push").apply(ext)


def push_douyin(headers: dict[str, str], body: bytes) -> list[ChannelOrder]:

    from .exceptions import BadSignature, Unauthenticated

    app_key = headers.get("app-id") or ""
    sign = headers.get("event-sign") or ""
    account = ChannelAccount.objects.filter(
        kind=ChannelKind.DOUYIN, app_key=app_key, is_active=True
    ).first() if app_key else None  # fmt: skip
    if account is None or not sign:
        raise Unauthenticated()
    secret, _token = credentials(account)
    if not secret or not _consteq(sign.lower(), p.douyin_event_sign(app_key, body, secret)):
        raise BadSignature()
    try:
        messages = jsonbody.loads(body)
        orders = [p.normalize_douyin(jsonbody.loads(m["data"])) for m in messages]
    except (ValueError, TypeError, KeyError, AttributeError):
        orders = [None]
    if not orders or any(o is None for o in orders):
        raise ValidationFailed({"body": _("The message carries no readable order.")})
    with transaction.atomic():
        ingest = Ingest(account, source="push")
        return [ingest.apply(o) for o in orders]


def _consteq(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


# --- agents ---------------------------------------------------------------------------------------

AGENT_HEADERS = {
    "external_no": ("external_no", "外部单号", "订单号"),
    "sku": ("sku", "渠道sku", "商品编码", "渠道SKU"),
    "title": ("title", "商品名称"),
    "quantity": ("quantity", "数量"),
    "unit_price": ("unit_price", "单价"),
    "buyer": ("buyer", "买家", "客户"),
    "phone": ("phone", "电话"),
}


def normalize_agent(raw: dict) -> p.ExternalOrder | None:
    try:
        modified = dt.datetime.fromisoformat(raw["modified"])
    except (KeyError, TypeError, ValueError):
        return None
    lines = [p.Line(sku_id=str(ln.get("sku") or ""), outer_sku=str(ln.get("sku") or ""),
                    title=str(ln.get("title") or "")[:200], quantity=p._dec(ln.get("quantity")),
                    unit_price=p._dec(ln.get("unit_price")))
             for ln in raw.get("lines") or []]  # fmt: skip
    return p.ExternalOrder(
        external_id=str(raw.get("external_no") or ""),
        status="paid",
        phase=p.PAID,
        modified_at=modified,
        buyer_key=str(raw.get("buyer_key") or ""),
        buyer_name=str(raw.get("buyer") or ""),
        phone=str(raw.get("phone") or ""),
        amount=sum((ln.quantity * ln.unit_price for ln in lines), Decimal(0)),
        lines=lines,
        raw=raw,
    )


def agent_upload(*, account: ChannelAccount, filename: str, content: bytes) -> dict:
    """An agent's order sheet (xlsx or csv; one row per line; columns 外部单号, 商品编码, 商品名称,
    数量, 单价, 买家, 电话). Rows with the same 外部单号 form one order; an order already received is
    not created again. Every bad row is listed (422) and nothing is stored."""
    rows = read_sheet(filename, content)
    errors = Errors()
    grouped: dict[str, dict] = {}
    now = timezone.now()
    for i, row in enumerate(rows, start=2):
        ext_no = normalize_text(row.get("external_no"))
        if not ext_no:
            errors.add(f"row {i}: external_no", _("This field is required."))
            continue
        if not row.get("sku"):
            errors.add(f"row {i}: sku", _("This field is required."))
        try:
            qty = Decimal(normalize_text(row.get("quantity")))
            if qty <= 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.add(f"row {i}: quantity", _("Enter a positive number."))
            qty = Decimal(0)
        try:
            price = Decimal(normalize_text(row.get("unit_price")) or "0")
        except (InvalidOperation, ValueError):
            errors.add(f"row {i}: unit_price", _("Enter a number."))
            price = Decimal(0)
        order = grouped.setdefault(ext_no[:64], {
            "external_no": ext_no[:64], "modified": now.isoformat(),
            "buyer": normalize_text(row.get("buyer")) or account.name,
            "buyer_key": f"{account.pk}:{normalize_text(row.get('buyer')) or account.name}",
            "phone": normalize_text(row.get("phone")), "lines": []})  # fmt: skip
        order["lines"].append({"sku": normalize_text(row.get("sku")), "title": row.get("title", ""),
                               "quantity": str(qty), "unit_price": str(price)})  # fmt: skip
    if not rows:
        errors.add("file", _("The sheet has no rows."))
    errors.raise_if_any()
    with hooks.batch(), transaction.atomic():
        ingest = Ingest(account, source="upload")
        for raw in grouped.values():
            ingest.apply(normalize_agent(raw))
    return ingest.counts


def get_account(actor, account_id: Any) -> ChannelAccount:
    permissions.require(actor, "channels.view")
    try:
        return ChannelAccount.objects.select_related("default_region").get(pk=account_id)
    except (ChannelAccount.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def sync_now(*, actor, account_id: Any):
    """A manual pull of one Taobao/Douyin account (the worker does the same on its schedule)."""
    permissions.require(actor, "channels.manage")
    account = get_account(actor, account_id)
    if account.kind not in (ChannelKind.TAOBAO, ChannelKind.DOUYIN):
        raise NotFound()
    from .sync import sync_account

    return sync_account(account.pk, trigger="manual", max_pages=200)
