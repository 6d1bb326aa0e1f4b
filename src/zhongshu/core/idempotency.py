"""Idempotency-Key support for POSTs that create things (orders, shipments, payments).

The key, a fingerprint of the request and the answer are stored in the same transaction as the work.
A retry with the same key and the same body gets the stored answer and changes nothing; the same key
with a different body is refused. Two copies racing: the second waits on the unique index, then
reads the first one's answer.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .actors import Actor
from .errors import Conflict, ValidationFailed
from .models import IdempotencyRecord

MAX_KEY_LENGTH = 128


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


def run_once(
    *, user: Actor, scope: str, key: str | None, payload: Any, run: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    if not key:
        return run()
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(
            {"Idempotency-Key": _("Use up to %(n)d printable characters.") % {"n": MAX_KEY_LENGTH}}
        )
    digest = fingerprint(payload)
    with transaction.atomic():
        lookup = {"user": user, "scope": scope, "key": key}
        existing = IdempotencyRecord.objects.filter(**lookup).first()
        if existing is None:
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(fingerprint=digest, **lookup)
            except IntegrityError:
                existing = IdempotencyRecord.objects.get(**lookup)
        if existing is not None:
            if existing.fingerprint != digest:
                raise IdempotencyKeyReused(
                    _("This Idempotency-Key was already used for a different request."),
                    details={"key": key},
                )
            return existing.status_code, existing.response
        status, body = run()
        record.status_code = status
        record.response = body
        record.save(update_fields=["status_code", "response"])
        return status, body
