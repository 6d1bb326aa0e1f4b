"""Checklist steps and landing pages of the apps that do not declare their own yet.

The go-live checklist sits above every app, so it may count their records; each app may take its
step over by declaring it in its own ``registrations`` (a later declaration of the same key
replaces this one, apps load before this one)."""

from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhongshu.core.setup_steps import steps


def _declared() -> set[str]:
    return {s.key for s in steps()}


def _steps_nobody_approves() -> str:
    """Active flows' steps whose role no active user holds and that name nobody active: their
    requests go to the deputy (or cannot be filed at all), which a factory should know."""
    from django.contrib.auth import get_user_model

    from zhongshu.approvals.models import FlowStep

    held = set(
        get_user_model()
        .objects.filter(is_active=True, groups__isnull=False)
        .values_list("groups__name", flat=True)
    )
    gaps = [
        f"{fs.flow.name} · {fs.name}"
        for fs in FlowStep.objects.filter(flow__active=True)
        .select_related("flow")
        .prefetch_related("users")
        .order_by("flow_id", "position")
        if fs.role not in held and not any(u.is_active for u in fs.users.all())
    ]
    if not gaps:
        return ""
    return gettext(
        "Nobody holds the role these steps ask for (the deputy is asked instead): %(steps)s."
    ) % {"steps": "、".join(gaps)}


def declare_defaults(setup_step, landing) -> None:
    from zhongshu.approvals.models import Flow
    from zhongshu.catalog.models import Material
    from zhongshu.channels.models import ChannelAccount
    from zhongshu.customers.models import Customer
    from zhongshu.finance.models import Receivable
    from zhongshu.orders.models import Order
    from zhongshu.production.models import BomLine, CalendarException, Routing, WorkCenter
    from zhongshu.quality.models import InspectionPlan
    from zhongshu.rules.models import Rule

    known = _declared()
    table = [
        ("lines", 40, _("Production lines and shifts"), "production:setup",
         lambda: WorkCenter.objects.filter(active=True).count(), None),
        ("calendar", 45, _("Working calendar (national holidays apply; add the factory's own days)"),
         "production:setup", lambda: CalendarException.objects.count(),
         lambda n: n > 0 or WorkCenter.objects.filter(active=True).exists()),
        ("customers", 60, _("Customers"), "customers:customer_list",
         lambda: Customer.objects.count(), None),
        ("materials", 70, _("Materials"), "catalog:material_list",
         lambda: Material.objects.count(), None),
        ("routings", 80, _("Routings"), "imports:list", lambda: Routing.objects.count(), None),
        ("boms", 90, _("Bills of materials"), "imports:list",
         lambda: BomLine.objects.aggregate(n=Count("product", distinct=True))["n"], None),
        ("qc_plans", 100, _("QC plans"), "quality:plans",
         lambda: InspectionPlan.objects.count(), None),
        ("opening_receivables", 120, _("Opening receivables"), "imports:list",
         lambda: Receivable.objects.count(), None),
        ("order_history", 130, _("Order history"), "imports:list",
         lambda: Order.objects.count(), None),
        ("channel_shops", 150, _("Channel shops"), "channels:accounts",
         lambda: ChannelAccount.objects.count(), None),
        ("rules", 170, _("Rules"), "rules:rule_list",
         lambda: Rule.objects.filter(enabled=True).count(), None),
    ]  # fmt: skip
    for key, position, label, url, count, done in table:
        if key not in known:
            setup_step(key, position=position, label=label, count=count, url=url, done=done)
    if "approval_flows" not in known:
        setup_step("approval_flows", position=160, label=_("Approval flows"),
                   count=lambda: Flow.objects.filter(active=True).count(),
                   url="approvals:flows", detail=_steps_nobody_approves)  # fmt: skip
    for role, url, position in (
        ("supervisor", "production:kanban", 30),
        ("operator", "production:my", 30),
        ("qc", "quality:home", 40),
        ("sales", "orders:order_list", 50),
        ("finance", "finance:home", 60),
        ("manager", "analytics:dashboard", 10),
        ("admin", "analytics:dashboard", 10),
    ):
        landing(role, url, position=position)
