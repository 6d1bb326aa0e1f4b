"""Saving, sharing and deleting list views. Anyone who may see a list keeps personal views of it;
sharing with a role (and changing shared views) needs "listviews.share"."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound, ValidationFailed
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors

from . import columns as catalogue
from . import lists
from .exceptions import NotYourView
from .models import ListName, SavedView

MAX_VIEWS = 50  # personal views per list
MAX_VALUES = 20


def _clean(errors: Errors, actor: Actor, view: SavedView, data: dict) -> None:
    if "name" in data:
        view.name = normalize_text(data["name"])
    if not view.name or len(view.name) > 60:
        errors.add("name", _("Give the view a name of at most 60 characters."))
    if "columns" in data:
        cols = data["columns"]
        allowed = catalogue.available(actor, view.list_name)
        if not isinstance(cols, list) or not all(isinstance(c, str) for c in cols):
            errors.add("columns", _("Give a list of columns."))
        else:
            unknown = [c for c in cols if c not in allowed]
            if unknown:
                errors.add("columns", _("Unknown columns: %(c)s.") % {"c": ", ".join(unknown)})
            view.columns = ["number"] + [c for c in dict.fromkeys(cols) if c != "number"]
    if "filters" in data:
        filters = data["filters"] or {}
        if not isinstance(filters, dict):
            errors.add("filters", _("Give the filters as parameter → values."))
        else:
            clean: dict[str, list[str]] = {}
            for name, values in filters.items():
                values = values if isinstance(values, list) else [values]
                known = name in catalogue.ORDER_FILTER_PARAMS or name.startswith("cf_")
                if not known or len(values) > MAX_VALUES:
                    errors.add(f"filters.{name}", _("Unknown filter %(f)s.") % {"f": name})
                    continue
                texts = [normalize_text(str(v))[:100] for v in values if v not in (None, "")]
                if texts:
                    clean[name] = texts
            # the filters mean what the list page makes of them: check the custom ones now
            lists.get(view.list_name).parse_custom_filters(actor=actor, params=clean, errors=errors)
            view.filters = clean
    if "sort" in data:
        view.sort = lists.get(view.list_name).parse_sort(
            actor=actor, value=data["sort"] or "", errors=errors
        )


@transaction.atomic
def view_save(
    *,
    actor: Actor,
    list_name: str = ListName.ORDERS,
    view_id: Any = None,
    share_with_role: str = "",
    **data,
) -> SavedView:
    """Create (no ``view_id``) or change a view. ``data``: name, columns, filters, sort,
    is_default. ``share_with_role``: a role slug makes it a shared view of that role."""
    permissions.require(actor, "orders.view")
    if list_name not in ListName.values:
        raise NotFound()
    if view_id is not None and share_with_role:
        share_with_role = ""  # who a view is for is set when it is made
    if share_with_role:
        permissions.require(actor, "listviews.share")
    if view_id is None:
        view = SavedView(list_name=list_name, created_by=actor)
        view.columns = list(catalogue.DEFAULT_ORDER_COLUMNS)
        if share_with_role:
            view.role = share_with_role
        else:
            view.owner = actor
    else:
        view = _lock_own(actor, view_id)
    errors = Errors()
    if share_with_role and share_with_role not in Role.values:
        errors.add("share_with_role", _("Unknown role %(r)s.") % {"r": share_with_role})
    _clean(errors, actor, view, data)
    if "is_default" in data:
        view.is_default = bool(data["is_default"])
    errors.raise_if_any()
    siblings = SavedView.objects.select_for_update().filter(list_name=list_name)
    siblings = (
        siblings.filter(owner=view.owner) if view.owner_id else siblings.filter(role=view.role)
    )
    siblings = siblings.exclude(pk=view.pk)
    if any(s.name == view.name for s in siblings):
        raise_name_taken(view.name)
    if view.pk is None and view.owner_id and len(siblings) >= MAX_VIEWS:
        errors.add("name", _("At most %(n)d views per list.") % {"n": MAX_VIEWS})
        errors.raise_if_any()
    if view.is_default:
        siblings.filter(is_default=True).update(is_default=False)
    view._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    view.save()
    return view


def raise_name_taken(name: str):
    raise ValidationFailed({"name": _("A view named %(n)s exists already.") % {"n": name}})


def _lock_own(actor: Actor, view_id) -> SavedView:
    try:
        view = SavedView.objects.select_for_update().get(pk=int(view_id))
    except (SavedView.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None
    if view.owner_id is not None:
        if view.owner_id != actor.pk:
            raise NotFound()  # someone else's personal view does not exist for you
    elif not permissions.can(actor, "listviews.share"):
        if view.role in permissions.roles_of(actor):
            raise NotYourView()
        raise NotFound()
    return view


@transaction.atomic
def view_delete(*, actor: Actor, view_id: Any) -> None:
    permissions.require(actor, "orders.view")
    view = _lock_own(actor, view_id)
    view._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    view.delete()
