"""Releasing a new product: the material is marked new once, and whoever listens (the rules app:
trial invitations to the customers on the trial list) is told after the release is committed.

Catalog sits below the apps that act on a release, so they register here (``on_new_product``)
instead of catalog importing them."""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import Conflict, NotFound

from .models import Material

_listeners: list[Callable[[int], object]] = []


def on_new_product(fn: Callable[[int], object]) -> Callable[[int], object]:
    """Call ``fn(material_id)`` after each release of a new product is committed."""
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


@transaction.atomic
def material_release_new(*, actor: Actor | None, code: str) -> Material:
    """Mark the material as a newly released product. Once only: a second release is refused
    (the invitations went out with the first), as is an inactive material."""
    permissions.require(actor, "materials.manage")
    material = Material.objects.select_for_update().filter(code=code).first()
    if material is None:
        raise NotFound(_("Material %(code)s not found.") % {"code": code})
    if not material.is_active:
        raise Conflict(_("An inactive material cannot be released as a new product."))
    if material.new_since is not None:
        raise Conflict(
            _("%(code)s was already released as a new product on %(day)s.")
            % {"code": material.code, "day": timezone.localdate(material.new_since).isoformat()}
        )
    material.new_since = timezone.now()
    material._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    material.save(update_fields=["new_since", "updated_at"])
    transaction.on_commit(lambda: _tell_listeners(material.pk))
    return material


def _tell_listeners(material_id: int) -> None:
    for fn in list(_listeners):
        fn(material_id)
