"""Channel accounts: shops and agents, their secrets and API keys, API clients, a manual pull."""

import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts.models import Region
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_text

from .. import crypto
from .. import platforms as p
from ..models import (
    ChannelAccount,
    ChannelKind,
)

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
    for f in ("is_active", "auto_confirm"):
        if data.get(f) is not None:
            out[f] = bool(data[f])
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
def account_create(*, actor: Actor, kind: str, **data) -> tuple[ChannelAccount, str]:
    """Create an account. For agents the API key is returned here once and stored hashed."""
    permissions.require(actor, "channels.manage")
    errors = Errors()
    kind = clean_choice(errors, "kind", kind, ChannelKind) or ""  # "" only with its error added
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
def account_update(*, actor: Actor, account_id: Any, data: dict) -> ChannelAccount:
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
def agent_key_rotate(*, actor: Actor, account_id: Any) -> tuple[ChannelAccount, str]:
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


def get_account(actor: Actor, account_id: Any) -> ChannelAccount:
    permissions.require(actor, "channels.view")
    try:
        return ChannelAccount.objects.select_related("default_region").get(pk=account_id)
    except (ChannelAccount.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def sync_now(*, actor: Actor, account_id: Any):
    """A manual pull of one Taobao/Douyin account (the worker does the same on its schedule)."""
    permissions.require(actor, "channels.manage")
    account = get_account(actor, account_id)
    if account.kind not in (ChannelKind.TAOBAO, ChannelKind.DOUYIN):
        raise NotFound()
    from ..sync import sync_account

    return sync_account(account.pk, trigger="manual", max_pages=200)
