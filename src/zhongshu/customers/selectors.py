from django.db.models import Q, QuerySet

from zhongshu.accounts import permissions
from zhongshu.core.text import normalize_text

from .models import Customer


def customer_list(*, actor, q: str = "", region: str = "", active_only: bool = False) -> QuerySet:
    permissions.require(actor, "customers.view")
    qs = permissions.scope_customers(actor, Customer.objects.select_related("region"))
    q = normalize_text(q)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    region = normalize_text(region)
    if region:
        qs = qs.filter(region__name=region)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("code")


def customer_get(*, actor, code: str) -> Customer:
    permissions.require(actor, "customers.view")
    qs = permissions.scope_customers(actor, Customer.objects.select_related("region"))
    return permissions.get_in_scope(qs, code=normalize_text(code).upper())
