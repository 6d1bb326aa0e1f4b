"""Assertions about the ledger shared by the inventory tests."""

from decimal import Decimal

from django.db.models import Sum

from zhongshu.inventory.models import StockLevel, StockMovement


def assert_ledger_matches_levels() -> None:
    """Every level equals the sum of its movements, and 0 <= reserved <= on_hand."""
    sums = {
        row["level_id"]: (row["on_hand"], row["reserved"])
        for row in StockMovement.objects.values("level_id").annotate(
            on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")
        )
    }
    for level in StockLevel.objects.all():
        on_hand, reserved = sums.get(level.id, (Decimal(0), Decimal(0)))
        assert (level.id, level.on_hand, level.reserved) == (level.id, on_hand, reserved)
        assert Decimal(0) <= level.reserved <= level.on_hand


def level_of(material, warehouse=None):
    qs = StockLevel.objects.filter(material=material)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    return qs.get()
