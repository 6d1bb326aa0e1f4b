"""Exact money figures for the ledger, the same on SQLite and PostgreSQL.

SQLite has no decimal type: ``SUM`` of a decimal column and ``col + x`` in an ``UPDATE`` are
computed in floating point, so a sum of cents comes back as ``7.67000000000001`` and a running
figure moved by ``F()`` arithmetic drifts by ``1e-17`` (and can then break its ``CHECK`` bound).
So, in this module's terms:

* every running figure (``allocated``) is computed in Python ``Decimal`` on a locked row and
  written as an exact value (``exact``), never as ``F("allocated") + x``;
* every sum the ledger reports is rounded to cents: ``cents`` in Python, ``money_sum`` for sums
  the database computes inside a query (rounded there too, so filters and ordering on them see
  the same figure).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models.functions import Coalesce, Round

ZERO = Decimal("0")
CENT = Decimal("0.01")


def cents(value) -> Decimal:
    """``value`` (a ``Decimal``, ``None`` for an empty sum) rounded to cents, half up."""
    if value is None:
        return ZERO.quantize(CENT)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def exact(model, field_name: str, value: Decimal) -> Decimal:
    """``value`` rounded to the decimal places of ``model.field_name``: what is written back."""
    places = model._meta.get_field(field_name).decimal_places
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


class CentsField(models.DecimalField):
    """The output field of a money sum computed in a query: loaded as ``cents``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def from_db_value(self, value, expression, connection):
        return cents(value)


def money_sum(expr) -> Round:
    """A sum (or an expression over sums) in a query, 0 when empty, rounded to cents."""
    return Round(
        Coalesce(expr, models.Value(ZERO), output_field=CentsField()), 2, output_field=CentsField()
    )
