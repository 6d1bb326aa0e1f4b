"""新品试用邀请: when a new product is released (``catalog.releases``), the account owner of each
customer on the trial list gets a follow-up to invite it, and hears of it in person (their chat
app, else the inbox). The list is the customer list named ``TRIAL_LIST_NAME`` (default
新品试用邀请), which customer rules fill with their "add to list" action. Dedupe keys name the
material and the customer, so a repeated call never makes a second task or message."""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts.roles import Role
from zhongshu.catalog.models import Material

from ..models import CustomerListMember, FollowUp
from .customers import account_owners

TRIAL_LIST_DEFAULT = "新品试用邀请"
INVITE_WITHIN_DAYS = 3


def trial_list_name() -> str:
    return getattr(settings, "TRIAL_LIST_NAME", TRIAL_LIST_DEFAULT)


def invite_trial_customers(material_id: int) -> int:
    """A system job run after a release is committed. Returns the follow-ups created."""
    material = Material.objects.filter(pk=material_id).first()
    if material is None:
        return 0
    members = list(
        CustomerListMember.objects.filter(
            customer_list__name=trial_list_name(), customer__is_active=True
        ).values_list("customer_id", "customer__region_id", "customer__code", "customer__name")
    )
    if not members:
        return 0
    owners = account_owners([m[0] for m in members], {c: {"region_id": r} for c, r, *_x in members})
    due = timezone.localdate() + dt.timedelta(days=INVITE_WITHIN_DAYS)
    tasks, told = [], defaultdict(list)
    for customer_id, _region, code, name in members:
        title = _("Invite %(customer)s to try the new product %(material)s %(name)s") % {
            "customer": name,
            "material": material.code,
            "name": material.name,
        }
        common = {"title": title[:200], "customer_id": customer_id, "due_date": due}
        base = f"newproduct:{material_id}:cust:{customer_id}"
        users = owners.get(customer_id) or []
        tasks += [FollowUp(assignee_id=u, dedupe_key=f"{base}:u{u}", **common) for u in users]
        if not users:
            tasks.append(FollowUp(assignee_role=Role.SALES, dedupe_key=base, **common))
        for user_id in users:
            told[user_id].append(f"{code} {name}")
    ours = FollowUp.objects.filter(dedupe_key__startswith=f"newproduct:{material_id}:")
    before = ours.count()
    FollowUp.objects.bulk_create(tasks, ignore_conflicts=True)
    _tell_owners(material, told)
    return ours.count() - before


def _tell_owners(material: Material, told: dict[int, list[str]]) -> None:
    from zhongshu.notify.services import notify

    for user_id, customers in told.items():
        notify(
            recipients=[user_id],
            channels=("app",),
            subject=_("New product %(material)s %(name)s: invite %(n)d customers to try it")
            % {"material": material.code, "name": material.name, "n": len(customers)},
            body="\n".join(customers),
            link=reverse("rules:task_list"),
            dedupe_key=f"newproduct:{material.pk}:u{user_id}",
            source="rules",
        )
