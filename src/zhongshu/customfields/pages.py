"""The custom-field half of the master-data pages (customers, materials): list columns and filters
for the fields the user sees, and a create/edit POST that reads the custom inputs, saves, and shows
every refusal next to its input."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.errors import DomainError, ValidationFailed
from zhongshu.core.validation import Errors
from zhongshu.core.web_errors import apply_error

from . import inputs as custom_inputs
from . import selectors as cf_selectors

PAGE_SIZE = 50


def page_of(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def custom_list_context(request, entity: str, page) -> dict:
    """Columns and filter inputs of the custom fields on a list page; the page's rows get
    their cells (``cf_cells``)."""
    columns = cf_selectors.visible(request.user, entity)
    custom_inputs.attach_cells(page.object_list, columns)
    return {"cf_columns": columns}


def list_page(request, entity: str, selector, custom_filters, template: str, action: str):
    """A master-data list with its custom-field columns and filters: ``selector`` reads the rows,
    ``custom_filters`` parses the custom filters the way that app's selectors expect them."""
    q = request.GET.get("q", "")
    errors = Errors()
    custom = custom_filters(actor=request.user, params=request.GET, errors=errors)
    if errors:
        messages.error(request, _("Some filters are not valid and were left out."))
    page = page_of(request, selector(actor=request.user, q=q, custom=custom))
    # the rows are read here, once, so that the cells and the table use the same list
    page.object_list = list(page.object_list)
    context = {
        "page": page,
        "q": q,
        "can_manage": permissions.can(request.user, action),
        "cf_filters": custom_inputs.filter_inputs(
            cf_selectors.filterable(request.user, entity), request.GET, errors
        ),
        **custom_list_context(request, entity, page),
    }
    return render(request, template, context)


def save_with_custom(request, *, entity, obj, form, template, context, save):
    """The POST half of both forms: read the custom inputs (uploading files first), call
    ``save(custom)`` and, when anything is refused, show the page again with every error next
    to its input. Returns ``(saved, None)`` or ``(None, response)``."""
    existing = obj.custom if obj is not None else {}
    raw, cf_errors = custom_inputs.read_post(request, request.user, entity, existing=existing)
    try:
        # a failed upload still lets the service check everything else (all errors at once);
        # what it saved is rolled back
        with transaction.atomic():
            saved = save(raw)
            if cf_errors:
                raise ValidationFailed([], message=_("Some fields are not valid."))
    except DomainError as exc:
        exc, more = custom_inputs.take_errors(exc)
        cf_errors = {**more, **cf_errors}
        status = apply_error(request, exc, form=form)
        inputs = custom_inputs.form_inputs(
            request.user, entity, existing, errors=cf_errors, posted=raw
        )
        return None, render(request, template, {**context, "custom_inputs": inputs}, status=status)
    return saved, None
