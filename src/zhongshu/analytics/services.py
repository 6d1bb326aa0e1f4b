"""Analytics writes — only its own derived tables and settings: the tier thresholds and the
leaderboard message (``settings_update``) and a recomputation on demand (``segments_recompute``)."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role
from zhongshu.core.actors import Actor
from zhongshu.core.errors import StaleVersion
from zhongshu.core.validation import Errors, clean_decimal

from . import segments
from .models import AnalyticsSettings, SegmentRun

# field → (kind, minimum, maximum)
LIMITS = {
    "window_days": ("int", 30, 1096),
    "new_days": ("int", 1, 730),
    "rhythm_intervals": ("int", 1, 52),
    "recent_weight": ("float", 0.01, 1),
    "min_rhythm_days": ("int", 2, 100),
    "at_risk_ratio": ("float", 1, 20),
    "at_risk_spreads": ("float", 0, 20),
    "key_min_orders": ("int", 1, 100000),
    "key_min_avg_amount": ("money", 0, 10**11),
    "key_max_cv": ("float", 0, 10),
    "growth_min_orders": ("int", 1, 100000),
    "growth_min_trend": ("float", 0, 100),
    "leaderboard_top": ("int", 1, 50),
}
CHANNELS = ("inapp", "wecom", "dingtalk", "feishu", "email")


def _clean(data: dict) -> dict:
    errors = Errors()
    out: dict[str, int | float | Decimal | list[str]] = {}
    for field, value in data.items():
        if value is None:
            continue
        if field in LIMITS:
            kind, lo, hi = LIMITS[field]
            number = clean_decimal(
                errors, field, value, places=2 if kind == "money" else 4,
                min_value=Decimal(lo), max_value=Decimal(hi), max_digits=16,
            )  # fmt: skip
            if number is None:
                continue
            if kind == "int":
                if number != number.to_integral_value():
                    errors.add(field, _("Enter a whole number."))
                    continue
                out[field] = int(number)
            else:
                out[field] = number if kind == "money" else float(number)
        elif field == "leaderboard_roles":
            roles = [str(r) for r in value or []]
            bad = [r for r in roles if r not in Role.values]
            if bad:
                errors.add(field, _("Unknown role: %(r)s.") % {"r": ", ".join(bad)})
            out[field] = list(dict.fromkeys(roles))
        elif field == "leaderboard_channels":
            chans = [str(c) for c in value or []]
            bad = [c for c in chans if c not in CHANNELS]
            if bad:
                errors.add(field, _("Unknown channel: %(c)s.") % {"c": ", ".join(bad)})
            out[field] = list(dict.fromkeys(chans))
        else:
            errors.add(field, _("Unknown field."))
    errors.raise_if_any()
    return out


def settings_update(*, actor: Actor, version: int | None = None, **data) -> AnalyticsSettings:
    """Change thresholds or the leaderboard message; ``version`` guards against overwriting a
    change someone else saved meanwhile."""
    permissions.require(actor, "analytics.configure")
    clean = _clean(data)
    with transaction.atomic():
        segments.get_settings()
        obj = AnalyticsSettings.objects.select_for_update().get(pk=1)
        if version is not None and version != obj.version:
            raise StaleVersion()
        for field, value in clean.items():
            setattr(obj, field, value)
        obj.version += 1
        obj.updated_by = actor
        obj.save()
    return obj


def segments_recompute(*, actor: Actor) -> SegmentRun:
    permissions.require(actor, "analytics.configure")
    return segments.recompute()
