"""Notification pages: my inbox, my contact details; for admins the delivery log, robots and
everyone's contacts."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhongshu.accounts.services import contact_update
from zhongshu.core.errors import DomainError
from zhongshu.core.pagination import keyset_page
from zhongshu.core.web_errors import apply_error, domain_errors

from . import selectors, services
from .models import Channel, RobotKind, Status

PAGE = 50


def _cursor(request) -> int | None:
    try:
        value = int(request.GET.get("cursor", ""))
    except ValueError:
        return None
    return value if value > 0 else None


@login_required
@domain_errors
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.inbox(request.user, unread=unread_only)
    items, next_cursor = keyset_page(qs, cursor=_cursor(request), limit=PAGE)
    return render(
        request,
        "notify/inbox.html",
        {
            "items": items,
            "next_cursor": next_cursor,
            "unread_only": unread_only,
        },
    )


@login_required
@require_POST
@domain_errors
def mark_read(request, message_id: int):
    message = services.mark_read(actor=request.user, message_id=message_id)
    if request.POST.get("go") and message.link.startswith("/"):
        return redirect(message.link)
    return redirect("notify:inbox")


@login_required
@require_POST
@domain_errors
def mark_all_read(request):
    services.mark_all_read(actor=request.user)
    return redirect("notify:inbox")


class ContactForm(forms.Form):
    wecom_userid = forms.CharField(
        label=gettext_lazy("WeCom user ID"), max_length=64, required=False
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
    mobile = forms.CharField(label=gettext_lazy("mobile"), max_length=20, required=False)
    email = forms.CharField(label=gettext_lazy("email"), max_length=254, required=False)


@login_required
@domain_errors
def contact(request, user_id: int | None = None):
    """My contact details, or (admins) another user's. Stored on the user and their profile."""
    current = (
        selectors.contact_of(request.user, user_id)
        if user_id is not None
        else selectors.my_contact(request.user)
    )
    status = 200
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                contact_update(actor=request.user, user_id=current["user_id"], **form.cleaned_data)
            except DomainError as exc:
                status = apply_error(request, exc, form=form)
            else:
                messages.success(request, _("Contact details saved."))
                return redirect("notify:contacts" if user_id is not None else "notify:contact")
        else:
            status = 422
    else:
        form = ContactForm(initial={k: current.get(k, "") for k in ContactForm.base_fields})
    return render(request, "notify/contact.html", {"form": form, "person": current}, status=status)


@login_required
@domain_errors
def contacts(request):
    return render(request, "notify/contacts.html", {"users": selectors.contacts(request.user)})


@login_required
@domain_errors
def deliveries(request):
    filters = {
        "status": request.GET.get("status", "")[:20],
        "channel": request.GET.get("channel", "")[:20],
        "robot": request.GET.get("robot", "")[:20],
        "q": request.GET.get("q", "").strip()[:100],
    }
    qs = selectors.outbox(request.user, **filters)
    items, next_cursor = keyset_page(qs, cursor=_cursor(request), limit=PAGE)
    attempts = list(selectors.deliveries(request.user)[:PAGE])
    return render(
        request,
        "notify/deliveries.html",
        {
            "items": items,
            "next_cursor": next_cursor,
            "filters": filters,
            "attempts": attempts,
            "statuses": Status.choices,
            "channels": [c for c in Channel.choices if c[0] != "inapp"],
            "robots": list(selectors.robots(request.user)),
        },
    )


@login_required
@require_POST
@domain_errors
def retry(request, message_id: int):
    services.message_retry(actor=request.user, message_id=message_id)
    messages.success(request, _("The message will be sent again."))
    return redirect("notify:deliveries")


class RobotForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=RobotKind.choices)
    name = forms.CharField(label=gettext_lazy("name"), max_length=80)
    webhook_url = forms.CharField(label=gettext_lazy("webhook URL"), max_length=500)
    secret = forms.CharField(label=gettext_lazy("signing secret"), max_length=200, required=False)


@login_required
@domain_errors
def robots(request):
    robot_list = list(selectors.robots(request.user))
    status = 200
    form = RobotForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.robot_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                status = apply_error(request, exc, form=form)
            else:
                messages.success(request, _("Robot added."))
                return redirect("notify:robots")
        else:
            status = 422
    return render(
        request, "notify/robots.html", {"robots": robot_list, "form": form}, status=status
    )


@login_required
@require_POST
@domain_errors
def robot_toggle(request, robot_id: int):
    robot = selectors.robot_get(request.user, robot_id)
    services.robot_update(actor=request.user, robot_id=robot.pk, enabled=not robot.enabled)
    return redirect("notify:robots")


@login_required
@require_POST
@domain_errors
def robot_delete(request, robot_id: int):
    services.robot_delete(actor=request.user, robot_id=robot_id)
    messages.success(request, _("Robot removed."))
    return redirect("notify:robots")
