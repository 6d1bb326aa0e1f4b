"""The roles of SPEC §2. Each role is a Django group named by its slug."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    MANAGER = "manager", _("Management")
    SALES = "sales", _("Sales")
    PLANNER = "planner", _("Planner")
    SUPERVISOR = "supervisor", _("Production supervisor")
    OPERATOR = "operator", _("Operator")
    QC = "qc", _("Quality control")
    WAREHOUSE = "warehouse", _("Warehouse")
    PURCHASING = "purchasing", _("Purchasing")
    FINANCE = "finance", _("Finance")


def ensure_role_groups(**kwargs: Any) -> None:
    """After every migrate (and every flush): the shipped roles' groups, and their role rows with
    no differences from the code tables where a row is missing — so a database emptied and
    re-created still knows its ten roles. A row put back changes the policy token, so every
    process reloads its role tables."""
    import uuid

    from django.contrib.auth.models import Group
    from django.db import connections
    from django.utils import translation

    from .models import PolicyState, RoleDefinition

    using = kwargs.get("using", "default")
    for role in Role:
        Group.objects.using(using).get_or_create(name=role.value)
    if RoleDefinition._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated to a state before roles were data
    added = False
    with translation.override("zh-hans"):
        for role in Role:
            _row, created = RoleDefinition.objects.using(using).get_or_create(
                code=role.value, defaults={"name": str(role.label), "shipped": True}
            )
            added = added or created
    if added or not PolicyState.objects.using(using).filter(pk=1).exists():
        PolicyState.objects.using(using).update_or_create(
            pk=1, defaults={"token": uuid.uuid4().hex}
        )
