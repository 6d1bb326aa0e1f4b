"""Custom fields in web forms: which inputs a form shows, and what the user sent back.

Every custom input is named ``cf_<key>`` (``prefix`` puts several records on one page, e.g.
``lines-0-``). Multiple choices arrive as repeated values; a hidden ``cf_<key>__sent`` says the
group was on the page, so unticking every box clears the field rather than leaving it alone.
A file is uploaded before the record is saved (``customfields.services.file_upload``) and its id
becomes the value; ``cf_<key>__current`` carries the id of the file already there, so a form
shown again after an error does not ask for the upload twice.

The services decide what is valid: this module only turns the POST into the ``custom`` dict
they take (``raw``) and puts their ``custom.<key>`` errors back next to the inputs.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import DomainError, ValidationFailed
from zhongshu.customfields import selectors as cf_selectors
from zhongshu.customfields import services as cf_services
from zhongshu.customfields import values as cf_values
from zhongshu.customfields.models import FieldDefinition, FieldFile, FieldType

SENT = "__sent"
CURRENT = "__current"
CLEAR = "__clear"


@dataclass
class CustomInput:
    """One custom field as a form shows it (what ``web/_custom_field.html`` is given)."""

    defn: FieldDefinition
    value: Any  # the stored value, or what the user sent when the form is shown again
    error: str = ""
    editable: bool = True


def input_name(defn: FieldDefinition, prefix: str = "") -> str:
    return f"{prefix}{defn.param}"


def form_inputs(
    actor: Actor,
    entity: str,
    custom: Mapping | None,
    *,
    errors: Mapping | None = None,
    posted: Mapping | None = None,
    creating: bool = False,
) -> list[CustomInput]:
    """The custom inputs of a form: every field ``actor`` may see, in form order, editable or
    read-only. ``posted`` (the raw values read back from a POST) wins over ``custom``; a new
    record's form starts from the fields' defaults."""
    custom = custom or {}
    errors = errors or {}
    out = []
    for defn in cf_selectors.visible(actor, entity):
        value = custom.get(defn.key)
        if creating and value is None:
            value = defn.default
        if posted is not None and defn.key in posted:
            value = posted[defn.key]
        out.append(
            CustomInput(
                defn=defn,
                value=value,
                error=errors.get(defn.key, ""),
                editable=permissions.custom_field_editable(actor, defn),
            )
        )
    return out


def read_post(
    request,
    actor: Actor,
    entity: str,
    *,
    existing: Mapping | None = None,
    prefix: str = "",
    definitions: list[FieldDefinition] | None = None,
) -> tuple[dict, dict]:
    """``(raw, errors)`` from a POST: ``raw`` maps each field present in the form to what was
    sent (None: cleared), ready for the service's ``custom=``; ``errors`` maps keys to upload
    problems. Fields not on the page are left out, so the service keeps their values."""
    existing = existing or {}
    post, files = request.POST, request.FILES
    defs = definitions if definitions is not None else cf_selectors.definitions(entity, actor=actor)
    raw: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for defn in defs:
        name = input_name(defn, prefix)
        if not permissions.custom_field_editable(actor, defn):
            # never drawn as an input; a value sent anyway goes to the service, which refuses it
            # unless it is the stored one
            if name in post:
                raw[defn.key] = post.getlist(name) if defn.type == FieldType.MULTI else post[name]
            continue
        if defn.type == FieldType.MULTI:
            if name + SENT in post or name in post:
                raw[defn.key] = [v for v in post.getlist(name) if v.strip()] or None
        elif defn.type == FieldType.FILE:
            _read_file(request, actor, defn, name, existing, raw, errors)
        elif name in post:
            value = post.get(name, "")
            raw[defn.key] = value if value.strip() else None
        elif name in files:
            errors[defn.key] = _("%(f)s: a file was sent for a field that is not a file.") % {
                "f": defn.label
            }
    return raw, errors


def _read_file(request, actor: Actor, defn, name, existing, raw, errors) -> None:
    upload = request.FILES.get(name)
    if upload is not None:
        try:
            row = cf_services.file_upload(
                actor=actor, entity=defn.entity, key=defn.key, upload=upload
            )
        except DomainError as exc:
            errors[defn.key] = _error_text(exc)
            return
        raw[defn.key] = {"id": row.pk, "name": row.name}
        return
    if request.POST.get(name + CLEAR):
        raw[defn.key] = None
        return
    current = (request.POST.get(name + CURRENT) or "").strip()
    if not current:
        return
    stored = existing.get(defn.key) if isinstance(existing.get(defn.key), Mapping) else {}
    if str(stored.get("id")) == current:
        return  # unchanged
    # a file uploaded on an earlier try of this form: only the uploader may name it
    earlier = FieldFile.objects.filter(
        pk=int(current) if current.isdigit() else 0,
        entity=defn.entity,
        field_key=defn.key,
        uploaded_by=actor,
    ).first()
    if earlier is None:
        errors[defn.key] = _("%(f)s: upload the file again.") % {"f": defn.label}
        return
    raw[defn.key] = {"id": earlier.pk, "name": earlier.name}


def _error_text(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed) and exc.errors:
        return "; ".join(str(e["message"]) for e in exc.errors)
    return str(exc.message)


def take_errors(exc: DomainError, prefix: str = "custom") -> tuple[DomainError, dict]:
    """Split the ``<prefix>.<key>`` errors of a refusal from the rest: ``(rest, {key: message})``;
    ``rest`` goes to ``core.web_errors.apply_error`` as usual (its summary message stays)."""
    if not isinstance(exc, ValidationFailed):
        return exc, {}
    mine: dict[str, str] = {}
    others = []
    head = prefix + "."
    for item in exc.errors:
        field = item.get("field", "")
        if field.startswith(head):
            key = field[len(head) :]
            mine[key] = f"{mine[key]} {item['message']}" if key in mine else str(item["message"])
        else:
            others.append(item)
    if not mine:
        return exc, {}
    return ValidationFailed(others, message=exc.message), mine


# --- list pages: filter inputs and cells ---------------------------------------------------------


@dataclass
class CustomFilter:
    """The filter inputs of one filterable field on a list page, filled from the URL."""

    defn: FieldDefinition
    kind: str  # "range" (from/to), "select", "text"
    name: str
    value: str = ""
    value_to: str = ""
    options: list | None = None
    error: str = ""


def filter_inputs(definitions, params, errors=None) -> list[CustomFilter]:
    """``definitions``: the fields the user may filter on; ``errors``: the ``core.validation
    .Errors`` that ``query.parse_filters`` filled (shown under the input they are about)."""
    by_base: dict[str, list[str]] = {}
    for item in getattr(errors, "items", []):
        by_base.setdefault(item["field"].partition("__")[0], []).append(item["message"])
    out = []
    for defn in definitions:
        name = defn.param
        error = " ".join(by_base.get(name, []))
        if defn.type in (FieldType.NUMBER, FieldType.DECIMAL, FieldType.DATE):
            out.append(
                CustomFilter(
                    defn,
                    "range",
                    name,
                    params.get(f"{name}__gte", ""),
                    params.get(f"{name}__lte", ""),
                    error=error,
                )
            )
        elif defn.type in (FieldType.CHOICE, FieldType.MULTI):
            options = [(c["value"], defn.choice_label(c["value"])) for c in defn.choices]
            out.append(CustomFilter(defn, "select", name, params.get(name, ""), "", options, error))
        elif defn.type == FieldType.BOOL:
            options = [("true", _("Yes")), ("false", _("No"))]
            out.append(CustomFilter(defn, "select", name, params.get(name, ""), "", options, error))
        elif defn.type == FieldType.TEXT:
            name = f"{name}__contains"
            out.append(CustomFilter(defn, "text", name, params.get(name, ""), error=error))
        else:  # a user: by user name
            out.append(CustomFilter(defn, "text", name, params.get(name, ""), error=error))
    return out


def attach_cells(rows, definitions) -> None:
    """Give each row ``cf_cells``: its visible custom values as text, in column order. One query
    for the names of the users that "user" fields point at, none otherwise."""
    rows = list(rows)
    users = cf_selectors.user_names(definitions, [r.custom or {} for r in rows])
    for row in rows:
        custom = row.custom or {}
        row.cf_cells = [cf_values.display(d, custom.get(d.key), users) for d in definitions]
