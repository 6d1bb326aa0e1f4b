"""A fingerprint of database state: compare one taken before a request with one taken after to
prove that a refused request wrote nothing (or that an allowed one wrote something)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Count:
    """Only the number of rows of ``model`` (for tables whose rows a check need not compare)."""

    model: type[Model]


@dataclass(frozen=True)
class Columns:
    """Only these columns of every row, ordered by primary key; ``sort=True`` sorts the tuples."""

    source: type[Model] | QuerySet
    fields: tuple[str, ...]
    sort: bool = False


def columns(source, *fields: str, sort: bool = False) -> Columns:
    return Columns(source, fields, sort)


def _read(part):
    if isinstance(part, Count):
        return part.model.objects.count()
    if isinstance(part, Columns):
        qs = part.source if isinstance(part.source, QuerySet) else part.source.objects.all()
        if part.sort:
            return sorted(qs.values_list(*part.fields))
        return list(qs.order_by("pk").values_list(*part.fields))
    if isinstance(part, QuerySet):
        return list(part.order_by("pk").values())
    if isinstance(part, type) and issubclass(part, Model):
        return list(part.objects.order_by("pk").values())
    raise TypeError(f"cannot fingerprint {part!r}")


class Fingerprint:
    """``Fingerprint(Order, Count(OrderLine), columns(User, "pk", "username"))()`` → a tuple with
    every row of Order, the number of order lines and those columns of every user."""

    def __init__(self, *parts):
        self.parts = parts

    def __call__(self) -> tuple:
        return tuple(_read(part) for part in self.parts)


def fingerprint(*parts) -> Callable[[], tuple]:
    """The fingerprint of ``parts`` (models, querysets, :class:`Count`, :func:`columns`)."""
    return Fingerprint(*parts)
