"""Pages where administrators define custom fields (Settings → Custom fields)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.core.errors import DomainError, ValidationFailed
from zhongshu.core.web_errors import apply_error, domain_errors

from . import selectors, services
from .exceptions import FieldInUse
from .forms import FieldDefinitionForm, format_choices
from .models import Entity


def _place_errors(form, exc: ValidationFailed) -> list[str]:
    unplaced = []
    for item in exc.errors:
        name = item["field"].split(".")[0].split("[")[0]
        if name in form.fields:
            form.add_error(name, item["message"])
        else:
            unplaced.append(item["message"])
    return unplaced


@login_required
@domain_errors
def field_list(request):
    defs = list(selectors.definition_list(actor=request.user))
    groups = [
        {"entity": label, "fields": [d for d in defs if d.entity == value], "value": value}
        for value, label in Entity.choices
    ]
    return render(request, "customfields/list.html", {"groups": groups})


@login_required
@domain_errors
def field_new(request):
    permissions.require(request.user, "customfields.manage")
    form = FieldDefinitionForm(
        request.POST or None,
        initial={"entity": request.GET.get("entity", Entity.ORDER), "type": "text"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            defn = services.field_create(
                actor=request.user,
                entity=form.cleaned_data["entity"],
                key=form.cleaned_data["key"],
                **form.service_data(),
            )
        except ValidationFailed as exc:
            for text in _place_errors(form, exc):
                messages.error(request, text)
        except DomainError as exc:
            apply_error(request, exc)
        else:
            messages.success(request, _("Field %(f)s created.") % {"f": defn.label})
            return redirect("customfields:list")
    status = 422 if request.method == "POST" else 200
    return render(request, "customfields/form.html", {"form": form}, status=status)


@login_required
@domain_errors
def field_edit(request, pk: int):
    defn = selectors.definition_get(actor=request.user, field_id=pk)
    initial = {
        "label_zh": defn.label_zh,
        "label_en": defn.label_en,
        "type": defn.type,
        "required": defn.required,
        "filterable": defn.filterable,
        "default": "" if defn.default is None else _default_text(defn.default),
        "choices": format_choices(defn.choices),
        "decimal_places": defn.decimal_places,
        "help_text": defn.help_text,
        "view_roles": defn.view_roles,
        "edit_roles": defn.edit_roles,
        "field_group": defn.field_group,
        "position": defn.position,
    }
    form = FieldDefinitionForm(request.POST or None, initial=initial, editing=True)
    in_use: dict[str, Any] = {}
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        migrate = {
            key.removeprefix("migrate:"): (value or None)
            for key, value in request.POST.items()
            if key.startswith("migrate:")
        }
        try:
            services.field_update(
                actor=request.user,
                field_id=pk,
                data=form.service_data(),
                migrate_choices=migrate or None,
            )
        except ValidationFailed as exc:
            for text in _place_errors(form, exc):
                messages.error(request, text)
        except FieldInUse as exc:
            in_use = exc.details.get("in_use") or {}
            status = apply_error(request, exc)
        except DomainError as exc:
            status = apply_error(request, exc)
        else:
            messages.success(request, _("Field %(f)s saved.") % {"f": defn.label})
            return redirect("customfields:list")
    remaining = []
    if in_use and form.is_valid():
        remaining = form.service_data()["choices"]
    return render(
        request,
        "customfields/form.html",
        {"form": form, "defn": defn, "in_use": sorted(in_use.items()), "remaining": remaining},
        status=status,
    )


def _default_text(value) -> str:
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@login_required
@require_POST
@domain_errors
def field_delete(request, pk: int):
    try:
        defn = services.field_delete(actor=request.user, field_id=pk)
    except DomainError as exc:
        apply_error(request, exc)
    else:
        messages.success(
            request, _("Field %(f)s deleted; its values stay in the history.") % {"f": defn.label}
        )
    return redirect("customfields:list")


@login_required
@require_POST
@domain_errors
def field_restore(request, pk: int):
    try:
        defn = services.field_restore(actor=request.user, field_id=pk)
    except DomainError as exc:
        apply_error(request, exc)
    else:
        messages.success(request, _("Field %(f)s restored.") % {"f": defn.label})
    return redirect("customfields:list")
