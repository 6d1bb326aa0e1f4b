"""Pages of the ERP link: the reconciliation (with retry) and the connection settings (with the
connection test and the master data pull)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.core.actors import ActorRequest
from zhongshu.core.errors import DomainError
from zhongshu.core.text import normalize_text
from zhongshu.core.web_errors import apply_error, domain_errors

from . import erp_services, posting, reconciliation
from .erp.config import state


@login_required
@domain_errors
def reconciliation_page(request: ActorRequest) -> HttpResponse:
    q = normalize_text(request.GET.get("q", ""))[:60]
    problems_only = request.GET.get("problems") == "1"
    data = reconciliation.reconciliation(actor=request.user, q=q, problems_only=problems_only)
    return render(
        request,
        "inventory/reconciliation.html",
        {
            **data,
            "q": q,
            "problems_only": problems_only,
            "can_retry": permissions.can(request.user, "inventory.erp_retry"),
            "can_configure": permissions.can(request.user, "inventory.erp_settings"),
        },
    )


@login_required
@require_POST
@domain_errors
def posting_retry(request: ActorRequest, posting_id: int) -> HttpResponse:
    done = posting.posting_retry(actor=request.user, posting_id=posting_id)
    messages.success(
        request, _("%(code)s will be sent to T+ again.") % {"code": done.external_code}
    )
    return redirect("inventory:reconciliation")


class ConnectionForm(forms.Form):
    base_url = forms.CharField(label=gettext_lazy("T+ address"), max_length=200, required=False)
    app_key = forms.CharField(label=gettext_lazy("App key"), max_length=120, required=False)
    app_secret = forms.CharField(
        label=gettext_lazy("App secret"), max_length=500, required=False,
        widget=forms.PasswordInput(render_value=False),
    )  # fmt: skip
    open_token = forms.CharField(
        label=gettext_lazy("Open token"), max_length=2000, required=False,
        widget=forms.PasswordInput(render_value=False),
    )  # fmt: skip


@login_required
@domain_errors
def connection_page(request: ActorRequest) -> HttpResponse:
    permissions.require(request.user, "inventory.erp_settings")
    row = state()
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "test":
            ok, message = erp_services.connection_test(actor=request.user)
            if ok:
                messages.success(request, _("Connection OK"))
            else:
                messages.error(request, _("Failed: %(why)s") % {"why": message})
            return redirect("inventory:erp_connection")
        if action == "pull":
            counts = erp_services.master_pull(actor=request.user)
            messages.success(
                request,
                _("Pulled from T+: %(m)s materials, %(c)s customers, %(w)s warehouses.")
                % {"m": counts["material"], "c": counts["customer"], "w": counts["warehouse"]},
            )
            return redirect("inventory:erp_connection")
        if action in ("create", "map"):
            _master_action(request, action)
            return redirect("inventory:erp_connection")
        form = ConnectionForm(request.POST)
        if form.is_valid():
            try:
                erp_services.connection_save(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                apply_error(request, exc, form=form)
            else:
                messages.success(request, _("Connection saved."))
                return redirect("inventory:erp_connection")
    else:
        form = ConnectionForm(initial={"base_url": row.base_url, "app_key": row.app_key})
    return render(
        request,
        "inventory/erp_connection.html",
        {
            "form": form,
            "row": row,
            "status": reconciliation.connection_status(),
            "secret_stored": bool(row.app_secret),
            "token_stored": bool(row.open_token),
            "master": erp_services.master_compare(actor=request.user),
            "regions": _regions(),
        },
    )


def _regions() -> list[str]:
    from zhongshu.accounts.models import Region

    return list(Region.objects.order_by("name").values_list("name", flat=True))


def _master_action(request: ActorRequest, action: str) -> None:
    """Create the chosen T+-only records here, or map a T+ code to a local one."""
    kind = request.POST.get("kind", "")
    try:
        if action == "create":
            created = erp_services.master_create(
                actor=request.user, kind=kind, codes=request.POST.getlist("codes"),
                region=normalize_text(request.POST.get("region", ""))[:60],
            )  # fmt: skip
            messages.success(
                request, _("Created from T+: %(codes)s") % {"codes": ", ".join(created)}
            )
        else:
            row = erp_services.master_map(
                actor=request.user, kind=kind, code=request.POST.get("code", "").strip(),
                local_code=request.POST.get("local_code", ""),
            )  # fmt: skip
            messages.success(
                request,
                _("T+ code %(code)s now stands for %(local)s.")
                % {"code": row.code, "local": row.local_code or "—"},
            )
    except DomainError as exc:
        apply_error(request, exc)
