"""User administration for administrators, and each user's own account page (password, tokens)."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions, role_services, selectors, services
from zhongshu.accounts.models import ApiToken
from zhongshu.accounts.roles import Role
from zhongshu.core.actors import Actor, ActorRequest
from zhongshu.core.errors import DomainError
from zhongshu.core.web_errors import apply_error, domain_errors

PAGE_SIZE = 50


def _region_choices(actor: Actor, held: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Active regions to choose from, plus the deactivated ones the user already holds (marked),
    so saving the form does not silently drop them."""
    kept = set(held)
    return [
        (r.name, r.name if r.active else _("%(name)s (deactivated)") % {"name": r.name})
        for r in selectors.region_list(actor=actor)
        if r.active or r.name in kept
    ]


def _held_regions(target: Actor) -> list[str]:
    profile = getattr(target, "profile", None)
    return [r.name for r in profile.regions.all()] if profile else []


CONTACT_FIELDS = ("mobile", "wecom_userid", "dingtalk_userid", "dingtalk_unionid", "feishu_user_id")


class UserForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150, required=False)
    display_name = forms.CharField(
        label=gettext_lazy("Display name"), max_length=60, required=False
    )
    password = forms.CharField(
        label=gettext_lazy("Password"), required=False, widget=forms.PasswordInput
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    regions = forms.MultipleChoiceField(
        label=gettext_lazy("Regions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    mobile = forms.CharField(label=gettext_lazy("Mobile"), max_length=20, required=False)
    wecom_userid = forms.CharField(
        label=gettext_lazy("WeCom user id"), max_length=64, required=False
    )
    dingtalk_userid = forms.CharField(
        label=gettext_lazy("DingTalk user id"), max_length=64, required=False
    )
    dingtalk_unionid = forms.CharField(
        label=gettext_lazy("DingTalk unionId"), max_length=64, required=False
    )
    feishu_user_id = forms.CharField(
        label=gettext_lazy("Feishu user_id"), max_length=64, required=False
    )

    def __init__(
        self,
        *args: Any,
        regions: Iterable[tuple[str, str]] = (),
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["regions"]
        assert isinstance(field, forms.MultipleChoiceField)  # declared so above
        field.choices = list(regions)
        roles = self.fields["roles"]
        assert isinstance(roles, forms.MultipleChoiceField)  # declared so above
        roles.choices = role_services.role_choices()
        if editing:
            del self.fields["username"]
            del self.fields["password"]
        else:
            for name in CONTACT_FIELDS:
                del self.fields[name]


class PasswordResetForm(forms.Form):
    new_password = forms.CharField(
        label=gettext_lazy("New password"), required=False, widget=forms.PasswordInput
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=gettext_lazy("Current password"), required=False, widget=forms.PasswordInput
    )
    new_password = forms.CharField(
        label=gettext_lazy("New password"), required=False, widget=forms.PasswordInput
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Token name"), max_length=60, required=False)
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), initial=90, required=False, min_value=1
    )

    def service_data(self) -> dict[str, Any]:
        self.is_valid()
        return {
            "name": self.cleaned_data.get("name") or self.data.get("name", ""),
            "days": self.cleaned_data.get("days") or self.data.get("days") or 0,
        }


# --- administrators ---------------------------------------------------------------------------


@login_required
@domain_errors
def user_list(request: ActorRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    role = request.GET.get("role", "")
    choices = role_services.role_choices()
    if role not in dict(choices):
        role = ""
    qs = selectors.user_list(actor=request.user, q=q, role=role)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/users/list.html",
        {"page": page, "q": q, "role": role, "roles": choices},
    )


@login_required
@domain_errors
def user_create(request: ActorRequest) -> HttpResponse:
    permissions.require(request.user, "users.manage")
    regions = _region_choices(request.user)
    if request.method != "POST":
        form = UserForm(regions=regions)
        return render(request, "accounts/users/new.html", {"form": form})
    form = UserForm(request.POST, regions=regions)
    form.is_valid()
    data = form.cleaned_data
    try:
        user = services.user_create(
            actor=request.user,
            username=data.get("username", ""),
            password=data.get("password", ""),
            roles=data.get("roles") or (request.POST.getlist("roles") or []),
            regions=data.get("regions") or request.POST.getlist("regions") or [],
            display_name=data.get("display_name", ""),
        )
    except DomainError as exc:
        status = apply_error(request, exc, form=form)
        return render(request, "accounts/users/new.html", {"form": form}, status=status)
    messages.success(request, _("User %(name)s created.") % {"name": user.username})
    return redirect("accounts:user_edit", user_id=user.pk)


def _edit_page(
    request: ActorRequest,
    target: Actor,
    *,
    form: "UserForm | None" = None,
    password_form: "PasswordResetForm | None" = None,
    token_form: "TokenForm | None" = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        profile = getattr(target, "profile", None)
        form = UserForm(
            initial={
                "display_name": profile.display_name if profile else "",
                "roles": [g.name for g in target.groups.all()],
                "regions": [r.name for r in profile.regions.all()] if profile else [],
                **{f: getattr(profile, f) if profile else "" for f in CONTACT_FIELDS},
            },
            regions=_region_choices(request.user, _held_regions(target)),
            editing=True,
        )
    context = {
        "target": target,
        "form": form,
        "password_form": password_form or PasswordResetForm(),
        "token_form": token_form or TokenForm(),
        "tokens": selectors.token_list_for(actor=request.user, user_id=target.pk),
        "token_action": "accounts:user_token_create",
        "is_self": target.pk == request.user.pk,
    }
    return render(request, "accounts/users/edit.html", context, status=status)


@login_required
@domain_errors
def user_edit(request: ActorRequest, user_id: int) -> HttpResponse:
    target = selectors.user_get(actor=request.user, user_id=user_id)
    if request.method != "POST":
        return _edit_page(request, target)
    form = UserForm(
        request.POST, regions=_region_choices(request.user, _held_regions(target)), editing=True
    )
    form.is_valid()
    data = form.cleaned_data
    try:
        services.user_update(
            actor=request.user,
            user_id=target.pk,
            display_name=data.get("display_name", ""),
            roles=data.get("roles") or (request.POST.getlist("roles") or []),
            regions=data.get("regions") or (request.POST.getlist("regions") or []),
            **{f: data.get(f, "") for f in CONTACT_FIELDS},
        )
    except DomainError as exc:
        status = apply_error(request, exc, form=form)
        return _edit_page(request, target, form=form, status=status)
    messages.success(request, _("User %(name)s saved.") % {"name": target.username})
    return redirect("accounts:user_edit", user_id=target.pk)


@login_required
@require_POST
@domain_errors
def user_set_active(request: ActorRequest, user_id: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    user = services.user_set_active(actor=request.user, user_id=user_id, active=active)
    if active:
        messages.success(request, _("User %(name)s activated.") % {"name": user.username})
    else:
        messages.success(
            request,
            _("User %(name)s deactivated; their API tokens are revoked.") % {"name": user.username},
        )
    return redirect("accounts:user_edit", user_id=user.pk)


@login_required
@require_POST
@domain_errors
def user_reset_password(request: ActorRequest, user_id: int) -> HttpResponse:
    target = selectors.user_get(actor=request.user, user_id=user_id)
    form = PasswordResetForm(request.POST)
    form.is_valid()
    try:
        services.user_reset_password(
            actor=request.user,
            user_id=target.pk,
            new_password=form.cleaned_data.get("new_password", ""),
        )
    except DomainError as exc:
        status = apply_error(request, exc, form=form)
        return _edit_page(request, target, password_form=form, status=status)
    messages.success(request, _("Password of %(name)s reset.") % {"name": target.username})
    return redirect("accounts:user_edit", user_id=target.pk)


@login_required
@require_POST
@domain_errors
def token_create(request: ActorRequest, user_id: int) -> HttpResponse:
    target = selectors.user_get(actor=request.user, user_id=user_id)
    form = TokenForm(request.POST)
    try:
        raw, token = services.token_create_for(
            actor=request.user, user_id=target.pk, **form.service_data()
        )
    except DomainError as exc:
        status = apply_error(request, exc, form=form)
        return _edit_page(request, target, token_form=form, status=status)
    return _token_created(request, raw, token, back=("accounts:user_edit", target.pk))


def _token_created(
    request: ActorRequest, raw: str, token: ApiToken, *, back: tuple[str, int | None]
) -> HttpResponse:
    # The raw token is only ever in this one response; it is stored hashed and never shown again.
    response = render(
        request,
        "accounts/users/token_created.html",
        {"raw": raw, "token": token, "back_name": back[0], "back_arg": back[1]},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@domain_errors
def token_revoke(request: ActorRequest, token_id: int) -> HttpResponse:
    token = services.token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    if token.user_id == request.user.pk:
        return redirect("accounts:account")
    return redirect("accounts:user_edit", user_id=token.user_id)


# --- one's own account ------------------------------------------------------------------------


def _account_page(
    request: ActorRequest,
    *,
    password_form: "PasswordChangeForm | None" = None,
    token_form: "TokenForm | None" = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "password_form": password_form or PasswordChangeForm(),
        "token_form": token_form or TokenForm(),
        "tokens": selectors.token_list_for(actor=request.user, user_id=request.user.pk),
    }
    return render(request, "accounts/users/account.html", context, status=status)


@login_required
@domain_errors
def account(request: ActorRequest) -> HttpResponse:
    return _account_page(request)


@login_required
@require_POST
@domain_errors
def password_change(request: ActorRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST)
    form.is_valid()
    try:
        services.password_change(
            actor=request.user,
            old_password=form.cleaned_data.get("old_password", ""),
            new_password=form.cleaned_data.get("new_password", ""),
        )
    except DomainError as exc:
        status = apply_error(request, exc, form=form)
        return _account_page(request, password_form=form, status=status)
    # keeps this browser logged in; other sessions of the user end with the old password
    update_session_auth_hash(request, request.user)
    messages.success(request, _("Your password was changed."))
    return redirect("accounts:account")


@login_required
@require_POST
@domain_errors
def own_token_create(request: ActorRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    try:
        raw, token = services.token_create_for(
            actor=request.user, user_id=request.user.pk, **form.service_data()
        )
    except DomainError as exc:
        status = apply_error(request, exc, form=form)
        return _account_page(request, token_form=form, status=status)
    return _token_created(request, raw, token, back=("accounts:account", None))
