"""The audit trail page: every recorded change, login and export, newest first, with filters."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from zhongshu.accounts import audit, permissions
from zhongshu.core.web_errors import domain_errors

from . import trail


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Object type"),
        choices=lambda: [("", _("All")), *trail.kind_choices()],
        required=False,
    )
    user = forms.CharField(label=_("User"), max_length=150, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    obj = forms.CharField(label=_("Object id or code"), max_length=64, required=False)


def audit_filters(form: AuditFilterForm) -> trail.Filters:
    f = form.cleaned_data if form.is_bound else {}
    return trail.Filters(
        kind=f.get("kind") or "",
        user=(f.get("user") or "").strip(),
        date_from=f.get("date_from"),
        date_to=f.get("date_to"),
        obj=(f.get("obj") or "").strip(),
    )


@login_required
@domain_errors
def audit_list(request):
    permissions.require(request.user, "audit.view")
    form = AuditFilterForm(request.GET or None)
    form.is_valid()  # invalid fields are shown next to their inputs and ignored
    filters = audit_filters(form)
    try:
        limit = min(max(int(request.GET.get("limit", trail.PAGE_SIZE)), 1), trail.MAX_PAGE_SIZE)
    except ValueError:
        limit = trail.PAGE_SIZE
    entries, next_cursor = trail.audit_page(
        actor=request.user, filters=filters, cursor=request.GET.get("cursor", ""), limit=limit
    )
    params = [(k, v) for k, values in request.GET.lists() if k != "cursor" for v in values]
    context = {
        "form": form,
        "entries": entries,
        "next_query": urlencode([*params, ("cursor", next_cursor)]) if next_cursor else None,
        "first_query": urlencode(params) if request.GET.get("cursor") else None,
        "export_query": urlencode(params),
        "can_export": permissions.can(request.user, "audit.export"),
    }
    return render(request, "audit/list.html", context)


@login_required
@require_GET
@domain_errors
def audit_xlsx(request):
    form = AuditFilterForm(request.GET or None)
    form.is_valid()
    filters = audit_filters(form)
    return audit.export_download(
        actor=request.user, export=trail.audit_export(actor=request.user, filters=filters)
    )
