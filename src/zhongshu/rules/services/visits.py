"""定期回访: the recurring follow-up visit of a high-value steady customer, at its own rhythm.

A steady customer is not followed up once: each time the segmentation runs, every customer of the
tier 高价值稳定客户 without an open visit gets one, due on its expected next order (its last order
plus its own interval mean; today when that day has passed), for its account owner. When the
customer orders again the expected day moves and, once the visit is done, the next one is made
for the new day: one visit per purchase cycle, at the customer's pace. The dedupe key is the
customer and the expected day, so reruns and concurrent workers never make a second one.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.accounts.roles import Role

from ..models import FollowUp
from .customers import account_owners

PREFIX = "visit"


@dataclass(frozen=True)
class Visit:
    customer_id: int
    region_id: int
    name: str
    code: str
    expected_next: dt.date
    every_days: int


def visits_schedule(*, visits: list[Visit], today: dt.date) -> int:
    """A system job (no actor): the visits of steady customers that have none open. Returns the
    number of follow-ups created."""
    if not visits:
        return 0
    open_for = set(
        FollowUp.objects.filter(
            done_at__isnull=True,
            dedupe_key__startswith=f"{PREFIX}:",
            customer_id__in=[v.customer_id for v in visits],
        ).values_list("customer_id", flat=True)
    )
    todo = [v for v in visits if v.customer_id not in open_for]
    owners = account_owners(
        [v.customer_id for v in todo], {v.customer_id: {"region_id": v.region_id} for v in todo}
    )
    tasks = []
    for v in todo:
        title = _(
            "Regular visit: %(name)s (%(code)s) orders about every %(n)d days; next order "
            "expected %(day)s"
        ) % {"name": v.name, "code": v.code, "n": v.every_days, "day": v.expected_next}
        key = f"{PREFIX}:{v.customer_id}:{v.expected_next.isoformat()}"
        common = {
            "title": title[:200], "customer_id": v.customer_id,
            "due_date": max(v.expected_next, today),
        }  # fmt: skip
        users = owners.get(v.customer_id) or []
        tasks += [FollowUp(assignee_id=u, dedupe_key=f"{key}:u{u}", **common) for u in users]
        if not users:
            tasks.append(FollowUp(assignee_role=Role.SALES, dedupe_key=key, **common))
    with transaction.atomic():
        created = FollowUp.objects.bulk_create(tasks, ignore_conflicts=True)
    return len(created)
