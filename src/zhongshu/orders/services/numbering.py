"""Order numbers: SO-YYYY-NNNNNN from a per-year counter, gapless because the increment commits
or rolls back with the orders that used it."""

from django.db import IntegrityError, transaction
from django.db.models import F

from ..models import OrderNumberSequence


def allocate_numbers(year: int, n: int) -> list[str]:
    """``n`` consecutive numbers from the year's counter, in one increment locked by the UPDATE
    itself: one for ``order_create``, a whole list for the bulk paths (imports, channels)."""
    for _attempt in range(3):
        if OrderNumberSequence.objects.filter(year=year).update(last_value=F("last_value") + n):
            last = OrderNumberSequence.objects.get(year=year).last_value
            return [f"SO-{year}-{v:06d}" for v in range(last - n + 1, last + 1)]
        try:
            with transaction.atomic():
                OrderNumberSequence.objects.create(year=year, last_value=n)
            return [f"SO-{year}-{v:06d}" for v in range(1, n + 1)]
        except IntegrityError:
            continue  # another transaction created the year's row first; increment it
    raise RuntimeError("could not allocate order numbers")


def _next_number(year: int) -> str:
    return allocate_numbers(year, 1)[0]
