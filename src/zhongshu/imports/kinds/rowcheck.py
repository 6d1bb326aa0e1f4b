"""What the two order kinds (current orders and order history) check the same way in a row: the
look-ups of one validation (one query per 2,000 codes), the external order number, the quantity
and the priority. Each kind's ``_RowCheck``/``_Check`` adds its own columns."""

from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.customers.models import Customer
from zhongshu.orders.statuses import Priority

from .. import normalize as N
from .base import Heads, _cell, _err, _load

PRIORITY_ALIASES = {"普通": "normal", "加急": "urgent", "紧急": "urgent", "特急": "critical"}


class OrderRowCheck:
    def __init__(self, actor: Actor, rows, H: Heads):
        self.H = H
        self.columns = columns = H[1]
        self.today = timezone.localdate()
        self.numbers: dict[tuple, tuple] = {}
        self.may_price = permissions.can(actor, "orders.edit_price")
        self.scope = permissions.scope_customers(actor, Customer.objects.all())
        codes = {N.text(_cell(r, columns, "customer")).upper() for r in rows}
        self.customers = _load(Customer, "code", codes, self.scope)
        self.materials = _load(
            Material, "code", {N.text(_cell(r, columns, "material")).upper() for r in rows}
        )

    def cell(self, row, field):
        return _cell(row, self.columns, field)

    def number(self, cell, **how):
        """``N.number(cell, **how)``, worked out once per distinct cell of this validation (a
        file repeats its quantities and prices thousands of times)."""
        try:
            key = (type(cell), cell, *how.items())
            return self.numbers[key]
        except KeyError:
            out = self.numbers[key] = N.number(cell, **how)
            return out
        except TypeError:  # a cell that cannot be a key
            return N.number(cell, **how)

    def external_no(self, row) -> str:
        ext = N.text(self.cell(row, "external_no"))
        if not ext:
            _err(row, *self.H, "external_no", _("This field is required."))
        elif len(ext) > 64:
            _err(row, *self.H, "external_no", _("At most %(n)d characters.") % {"n": 64})
        return ext

    def quantity(self, row):
        qty, msg = self.number(self.cell(row, "quantity"), places=3, positive=True)
        if msg:
            _err(row, *self.H, "quantity", msg)
        return qty

    def priority(self, row) -> str:
        if N.is_blank(self.cell(row, "priority")):
            return Priority.NORMAL
        priority, msg = N.choice(self.cell(row, "priority"), Priority, extra=PRIORITY_ALIASES)
        if msg:
            _err(row, *self.H, "priority", msg)
        return priority
