"""Materials: a searchable list and create/edit forms for those who manage them.

Custom fields take part as built-in ones do: list columns and filters for the fields the user
sees, inputs after the built-in ones in the forms (read-only where the user may not edit)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhongshu.accounts import audit, permissions
from zhongshu.core.text import plain_number
from zhongshu.core.web_errors import domain_errors
from zhongshu.customfields import inputs as custom_inputs
from zhongshu.customfields.pages import list_page, save_with_custom

from . import releases, selectors, services
from .exports import material_export
from .forms import MaterialForm


@login_required
@domain_errors
def material_list(request):
    return list_page(
        request,
        "material",
        selectors.material_list,
        selectors.custom_filters,
        "catalog/materials/list.html",
        "materials.manage",
    )


def _material_form(request, material=None):
    permissions.require(request.user, "materials.manage")
    editing = material is not None
    template = "catalog/materials/form.html"
    initial = {}
    if material:
        initial = {f: getattr(material, f) for f in MaterialForm.base_fields}
        for f in ("standard_price", "safety_stock"):
            initial[f] = plain_number(initial[f])
    rules = {
        "hidden": permissions.hidden_fields(request.user, "material"),
        "readonly": permissions.readonly_fields(request.user, "material"),
    }
    if request.method != "POST":
        form = MaterialForm(initial=initial, editing=editing, **rules)
        inputs = custom_inputs.form_inputs(
            request.user, "material", material.custom if material else {}, creating=not editing
        )
        return render(
            request, template, {"form": form, "material": material, "custom_inputs": inputs}
        )
    form = MaterialForm(request.POST, initial=initial, editing=editing, **rules)
    form.is_valid()

    def save(custom):
        data = {**form.service_data(), "custom": custom}
        if material is None:
            return services.material_create(
                actor=request.user, code=form.cleaned_data.get("code", ""), **data
            )
        return services.material_update(actor=request.user, material=material, data=data)

    saved, response = save_with_custom(
        request,
        entity="material",
        obj=material,
        form=form,
        template=template,
        context={"form": form, "material": material},
        save=save,
    )
    if response is not None:
        return response
    messages.success(request, _("Material %(code)s saved.") % {"code": saved.code})
    return redirect("catalog:material_list")


@login_required
@domain_errors
def material_create(request):
    return _material_form(request)


@login_required
@domain_errors
def material_edit(request, code: str):
    return _material_form(request, selectors.material_get(actor=request.user, code=code))


@login_required
@require_POST
@domain_errors
def material_release_new(request, code: str):
    material = selectors.material_get(actor=request.user, code=code)
    releases.material_release_new(actor=request.user, code=material.code)
    messages.success(
        request,
        _(
            "%(code)s is released as a new product; the trial-list customers' owners are asked to invite them."
        )
        % {"code": material.code},
    )
    return redirect("catalog:material_edit", code=material.code)


@login_required
@require_GET
@domain_errors
def materials_xlsx(request):
    q = request.GET.get("q", "")[:100]
    return audit.export_download(
        actor=request.user,
        export=material_export(actor=request.user, q=q, custom_params=request.GET),
    )
