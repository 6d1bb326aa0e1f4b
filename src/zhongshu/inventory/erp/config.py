"""Where the connection comes from: the settings page (stored, secrets encrypted) or the
environment (``TPLUS_BASE_URL``, ``TPLUS_APP_KEY``, ``TPLUS_APP_SECRET``, ``TPLUS_OPEN_TOKEN``).
A field set on the page wins over the environment."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection

from zhongshu.core import crypto

if TYPE_CHECKING:
    from ..erp_models import ErpConnection


@dataclass(frozen=True)
class Config:
    base_url: str
    app_key: str
    app_secret: str
    open_token: str
    source: str  # "page" | "environment" | ""


def _row() -> "ErpConnection | None":
    from ..erp_models import ErpConnection

    try:
        return ErpConnection.objects.filter(pk=1).first()
    except Exception:  # no table yet (before migrate)
        return None


def configured() -> bool:
    """Whether an ERP address is set (on the page or in the environment): what every stock
    write asks, so only the address is read, no secret decrypted."""
    if settings.TPLUS_BASE_URL:
        return True
    # written out: asked on every stock write, where building the query cost more than running it
    try:
        with connection.cursor() as cur:
            cur.execute(f"SELECT {address_column()}")
            row = cur.fetchone()
    except Exception:  # no table yet (before migrate)
        return False
    return bool(row and row[0])


def configured_by(page_address: str | None) -> bool:
    """``configured`` for a caller that read the page's address already (through
    ``address_column``, in a statement it runs anyway): nothing more is asked of the database."""
    return bool(settings.TPLUS_BASE_URL or page_address)


def address_column() -> str:
    """The page's ERP address as a scalar subquery (NULL when none is stored), for the lock of
    the stock levels to read with the levels: one statement fewer on every stock write."""
    from ..erp_models import ErpConnection

    table = connection.ops.quote_name(ErpConnection._meta.db_table)
    return f"(SELECT base_url FROM {table} WHERE id = 1)"


def current() -> Config:
    row = _row()
    env = Config(
        base_url=(settings.TPLUS_BASE_URL or "").rstrip("/"),
        app_key=settings.TPLUS_APP_KEY,
        app_secret=settings.TPLUS_APP_SECRET,
        open_token=settings.TPLUS_OPEN_TOKEN,
        source="environment" if settings.TPLUS_BASE_URL else "",
    )
    if row is None or not row.base_url:
        return env
    return Config(
        base_url=row.base_url.rstrip("/"),
        app_key=row.app_key or env.app_key,
        app_secret=(crypto.decrypt(row.app_secret) or "") if row.app_secret else env.app_secret,
        open_token=(crypto.decrypt(row.open_token) or "") if row.open_token else env.open_token,
        source="page",
    )


def state() -> "ErpConnection":
    """The one ``ErpConnection`` row (created on first use): lease, alerts, last test."""
    from ..erp_models import ErpConnection

    return ErpConnection.objects.get_or_create(pk=1)[0]
