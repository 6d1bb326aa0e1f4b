"""Demo finance, seeded after the orders: every receivable dated by its shipment (issued on the
shipping day, due by its payment terms), and the customers' payments — most on time, some late,
some still outstanding — recorded through ``payment_create`` on the day the money came."""

import datetime as dt
import random

from django.utils import timezone

from . import receivables
from .models import Receivable
from .services import payment_create

SEED_ORDER = 60
PAID_ON_TIME = 0.62
PAID_LATE = 0.26  # the rest is still open (overdue or not yet due)


def seed(ctx) -> None:
    actor = ctx.users.get("finance") or ctx.users.get("admin")
    receivables.sync()
    rows = list(Receivable.objects.select_related("shipment", "customer").order_by("id"))
    for rec in rows:
        if rec.shipment is None:
            continue
        issued = timezone.localtime(rec.shipment.shipped_at).date()
        due = receivables.due_date(rec.payment_terms, issued)
        Receivable.objects.filter(pk=rec.pk).update(issued_on=issued, due_on=due)
        rec.issued_on, rec.due_on = issued, due
    rng = random.Random(ctx.today.toordinal() + 7)
    paid = late = 0
    for rec in rows:
        draw = rng.random()
        if draw < PAID_ON_TIME:
            day = rec.due_on - dt.timedelta(days=rng.randint(0, 12))
        elif draw < PAID_ON_TIME + PAID_LATE:
            day = rec.due_on + dt.timedelta(days=rng.randint(5, 45))
        else:
            continue
        day = max(day, rec.issued_on)
        if day >= ctx.today:
            continue  # not paid yet
        payment_create(
            actor=actor, customer=rec.customer.code, reference=f"DEMO-{rec.pk:05d}",
            amount=rec.amount, received_on=day,
            allocations=[{"receivable_id": rec.pk, "amount": str(rec.amount)}],
        )  # fmt: skip
        paid += 1
        late += day > rec.due_on
    ctx.counts["payments"] = paid
    ctx.say(f"  {len(rows)} receivables, {paid} paid ({late} late)")
