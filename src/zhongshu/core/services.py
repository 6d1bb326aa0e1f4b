"""Helpers shared by the services of every app."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from zhongshu.core.actors import Actor

from .errors import ValidationFailed


def model_update(
    *, instance: models.Model, fields: list[str], data: dict[str, Any], actor: Actor | None = None
) -> list[str]:
    """Set the whitelisted ``fields`` present in ``data`` and save only what changed.

    ``actor`` is recorded as the history user of the change (outside a web request — CLI, imports,
    background tasks — there is no request user for the history middleware to pick up).
    Returns the names of the fields that really changed (empty when nothing did).
    """
    if actor is not None:
        instance._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    changed = []
    for field in fields:
        if field in data and getattr(instance, field) != data[field]:
            setattr(instance, field, data[field])
            changed.append(field)
    if changed:
        try:
            instance.full_clean(
                exclude=[f.name for f in instance._meta.fields if f.name not in changed]
            )
        except ValidationError as exc:
            # services clean their input first; this is the model's last word, still a 422
            raise ValidationFailed(
                {field: " ".join(messages) for field, messages in exc.message_dict.items()}
            ) from None
        update = list(changed)
        if any(f.name == "updated_at" for f in instance._meta.fields):
            update.append("updated_at")
        instance.save(update_fields=update)
    return changed
