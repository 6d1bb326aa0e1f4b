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
    from django.contrib.auth.models import Group

    for role in Role:
        Group.objects.get_or_create(name=role.value)
