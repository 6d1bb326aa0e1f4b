"""The company page (administrators): name, address, phone, tax id and logo printed on every
document."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.web_errors import domain_errors

from .company import MAX_LOGO_BYTES, TEXT_FIELDS, company, company_save


@login_required
@domain_errors
def company_edit(request):
    permissions.require(request.user, "company.manage")
    values, errors, status = company(), {}, 200
    if request.method == "POST":
        values = {f: request.POST.get(f, "") for f in TEXT_FIELDS}
        upload = request.FILES.get("logo")
        logo = upload.read(MAX_LOGO_BYTES + 1) if upload else None
        try:
            company_save(
                actor=request.user, **values, logo=logo,
                remove_logo=request.POST.get("remove_logo") == "1",
            )  # fmt: skip
        except ValidationFailed as exc:
            errors = {e["field"]: e["message"] for e in exc.errors}
            status = 422
        else:
            messages.success(request, _("Company details saved."))
            return redirect("documents:company")
        values["logo"] = company()["logo"]
    return render(
        request, "documents/company.html", {"values": values, "errors": errors}, status=status
    )
