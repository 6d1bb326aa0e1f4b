from django.db.models import Q, QuerySet

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors
from zhongshu.customfields import query as cf_query
from zhongshu.customfields import selectors as cf_selectors

from .models import Customer


def customer_list(
    *, actor: Actor, q: str = "", region: str = "", active_only: bool = False, custom=()
) -> QuerySet:
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
    if custom:
        qs = cf_query.apply_filters(qs, custom)
    return qs.order_by("code")


def customer_get(*, actor: Actor, code: str) -> Customer:
    permissions.require(actor, "customers.view")
    qs = permissions.scope_customers(actor, Customer.objects.select_related("region"))
    return permissions.get_in_scope(qs, code=normalize_text(code).upper())


def custom_filters(*, actor: Actor, params, errors: Errors | None = None) -> list:
    """The ``cf_<key>`` list filters in ``params`` (a QueryDict) that ``actor`` may use. Bad or
    unknown ones go to ``errors`` when given (a page shows them and lists the rest), otherwise
    they refuse the whole request (the API and exports never answer with unfiltered rows)."""
    collect = errors if errors is not None else Errors()
    found = cf_query.parse_filters(cf_selectors.filterable(actor, "customer"), params, collect)
    if errors is None:
        collect.raise_if_any()
    return found
