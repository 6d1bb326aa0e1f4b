from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.core.web_errors import apply_error, domain_errors

from . import selectors, services
from .models import ChannelKind, ChannelOrder


@login_required
@domain_errors
def overview(request):
    accounts = list(selectors.account_list(actor=request.user))
    exceptions = list(selectors.exception_list(actor=request.user)[:50])
    regions = []
    if any(e.reason == "address" for e in exceptions):
        from zhongshu.accounts.models import Region

        regions = [
            r for r in Region.objects.all() if permissions.region_allowed(request.user, r.pk)
        ]
    return render(request, "channels/overview.html", {"accounts": accounts,
                                                      "exceptions": exceptions,
                                                      "regions": regions})  # fmt: skip


@login_required
@domain_errors
def mappings(request):
    qs = selectors.mapping_list(actor=request.user, q=request.GET.get("q", "")[:64])
    return render(request, "channels/mappings.html", {"mappings": list(qs[:200])})


@login_required
@require_POST
@domain_errors
def mapping_save(request):
    if request.FILES.get("file"):
        f = request.FILES["file"]
        n = services.mapping_import(actor=request.user, filename=f.name, content=f.read())
        messages.success(request, _("%(n)d mappings imported.") % {"n": n})
    else:
        services.mapping_save(actor=request.user, data=request.POST.dict())
        messages.success(request, _("Mapping saved."))
    return redirect("channels:mappings")


@login_required
@domain_errors
def carriers(request):
    shops = [a for a in selectors.account_list(actor=request.user) if a.kind != ChannelKind.AGENT]
    return render(request, "channels/carriers.html", {
        "mappings": list(selectors.carrier_mapping_list(actor=request.user)),
        "carriers": list(selectors.carrier_list(actor=request.user)),
        "shops": shops if permissions.can(request.user, "channels.manage") else [],
    })  # fmt: skip


@login_required
@require_POST
@domain_errors
def carriers_refresh(request, account_id: int):
    result = services.carriers_refresh(actor=request.user, account_id=account_id)
    messages.success(request, _("%(listed)d carriers listed by the platform, %(added)d new.")
                     % result)  # fmt: skip
    return redirect("channels:carriers")


@login_required
@require_POST
@domain_errors
def carrier_mapping_save(request):
    result = services.carrier_mapping_save(actor=request.user, data=request.POST.dict())
    messages.success(request, _("Carrier mapped; %(n)d held reports released.")
                     % {"n": result["released"]})  # fmt: skip
    return redirect("channels:carriers")


@login_required
@require_POST
@domain_errors
def map_retry(request, exception_id: int):
    result = services.map_and_retry(actor=request.user, exception_id=exception_id,
                                    material=request.POST.get("material", ""),
                                    multiplier=request.POST.get("multiplier") or "1")  # fmt: skip
    messages.success(request, _("Mapped; %(n)d orders created.") % {"n": result["ordered"]})
    return redirect("channels:overview")


@login_required
@require_POST
@domain_errors
def route_retry(request, exception_id: int):
    result = services.route_and_retry(actor=request.user, exception_id=exception_id,
                                      region=request.POST.get("region", ""),
                                      city_only=request.POST.get("city_only") == "on")  # fmt: skip
    messages.success(request, _("Routed; %(n)d orders created.") % {"n": result["ordered"]})
    return redirect("channels:overview")


@login_required
@require_POST
@domain_errors
def dismiss(request, exception_id: int):
    services.exception_dismiss(actor=request.user, exception_id=exception_id,
                               note=request.POST.get("note", ""))  # fmt: skip
    messages.success(request, _("Dismissed"))
    return redirect("channels:overview")


def agent_portal(request):
    """Agents upload an order sheet with their API key (no Zhongshu login)."""
    result, error = None, ""
    if request.method == "POST":
        account = services.agent_for_key(request.POST.get("api_key", ""))
        f = request.FILES.get("file")
        if account is None:
            error = _("Unknown or missing channel credentials.")
        elif f is None:
            error = _("Choose a file.")
        else:
            try:
                result = services.agent_upload(account=account, filename=f.name,
                                               content=f.read())  # fmt: skip
            except services.DomainError as exc:
                error = _error_list(exc)
    return render(request, "channels/agent.html", {"result": result, "error": error},
                  status=400 if error else 200)  # fmt: skip


def _error_list(exc) -> str:
    errs = exc.details.get("errors") if isinstance(exc.details, dict) else None
    if errs:
        return "; ".join(f"{e['field']}: {e['message']}" for e in errs[:20])
    return str(exc.message)


@login_required
@domain_errors
def pool(request):
    """The channel order pool with filters (account, channel, state, text, modified dates)."""
    f = {k: request.GET.get(k, "")[:64] for k in selectors.POOL_FILTERS}
    dates = {k: parse_date(f[k]) if f[k] else None for k in ("since", "until")}
    qs = selectors.order_pool(actor=request.user, **{**f, **dates})
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    accounts = list(selectors.account_list(actor=request.user).values_list("pk", "name"))
    return render(request, "channels/pool.html", {
        "page": page, "filters": f, "accounts": accounts,
        "kinds": ChannelKind.choices, "states": ChannelOrder.State.choices,
    })  # fmt: skip


ACCOUNT_FIELDS = ("name", "base_url", "app_key", "shop_id", "secret", "token", "default_region",
                  "lead_days", "overlap_seconds")  # fmt: skip


@login_required
@domain_errors
def accounts(request):
    """Channel accounts: create, change (secrets are write-only), rotate an agent key, sync now."""
    new_key = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        data = {
            k: request.POST.get(k) for k in ACCOUNT_FIELDS if request.POST.get(k) not in (None, "")
        }
        if action == "create":
            _account, new_key = services.account_create(actor=request.user,
                                                        kind=request.POST.get("kind", ""), **data)  # fmt: skip
            messages.success(request, _("Account saved."))
        elif action == "update":
            data["is_active"] = request.POST.get("is_active") == "on"
            data["auto_confirm"] = request.POST.get("auto_confirm") == "on"
            services.account_update(actor=request.user, account_id=request.POST.get("account"),
                                    data=data)  # fmt: skip
            messages.success(request, _("Account saved."))
        elif action == "rotate":
            _account, new_key = services.agent_key_rotate(actor=request.user,
                                                          account_id=request.POST.get("account"))  # fmt: skip
        elif action == "sync":
            run = services.sync_now(actor=request.user, account_id=request.POST.get("account"))
            messages.info(request, _("Sync: %(n)d new, %(u)d updated. %(e)s")
                          % {"n": run.created, "u": run.updated, "e": run.error})  # fmt: skip
        if not new_key:
            return redirect("channels:accounts")
    rows = list(selectors.account_list(actor=request.user))
    from zhongshu.accounts.models import Region

    return render(request, "channels/accounts.html", {
        "accounts": rows, "kinds": ChannelKind.choices, "new_key": new_key,
        "regions": list(Region.objects.values_list("name", flat=True)),
        "can_manage": permissions.can(request.user, "channels.manage"),
    })  # fmt: skip


def _routing_data(post) -> dict:
    data = {k: post.get(k, "") for k in ROUTING_FIELDS}
    data["enabled"] = post.get("enabled") == "on"
    data["tags"] = post.get("tags", "")
    return data


ROUTING_FIELDS = ("name", "priority", "channel", "account", "customer_tier", "min_amount",
                  "max_amount", "region", "sku", "owner", "queue")  # fmt: skip


@login_required
@domain_errors
def routing(request):
    """Routing rules: which owner, queue and tags a converted channel order gets."""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                services.routing_rule_delete(actor=request.user, rule_id=request.POST.get("rule"))
                messages.success(request, _("Routing rule deleted."))
            else:
                services.routing_rule_save(actor=request.user, data=_routing_data(request.POST),
                                           rule_id=request.POST.get("rule") or None)  # fmt: skip
                messages.success(request, _("Routing rule saved."))
        except services.DomainError as exc:
            apply_error(request, exc)
        return redirect("channels:routing")
    from django.contrib.auth import get_user_model

    from zhongshu.accounts.models import Region
    from zhongshu.customers.models import CustomerTier

    can_edit = permissions.can(request.user, "channels.routing")
    # every active user is offered; saving refuses one who may not own orders
    owners = list(get_user_model().objects.filter(is_active=True).order_by("username")[:500])
    return render(request, "channels/routing.html", {
        "rules": list(selectors.routing_rule_list(actor=request.user)),
        "can_edit": can_edit, "kinds": ChannelKind.choices, "tiers": CustomerTier.choices,
        "shops": list(selectors.account_list(actor=request.user)) if can_edit else [],
        "regions": list(Region.objects.values_list("name", flat=True)) if can_edit else [],
        "owners": owners if can_edit else [],
    })  # fmt: skip
