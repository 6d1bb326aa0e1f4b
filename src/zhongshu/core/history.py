"""django-simple-history's ``Model.history``, its manager class built once per model.

simple_history's descriptor builds a new manager class on every access
(``HistoryManager.from_queryset`` walks every member of the query set class: 75 µs), and
simple_history itself reads ``history`` on every save of a tracked model to write the historical
row. ``cache_history_managers`` (run once the apps are ready) gives every tracked model a
descriptor that builds the class on first use and keeps it; the manager each access returns is
new, as before, bound to the instance when there is one.
"""

from typing import Any

from django.apps import apps
from django.utils.functional import cached_property
from simple_history.manager import HistoryDescriptor


class CachedHistoryDescriptor(HistoryDescriptor):  # type: ignore[misc]  # untyped library
    @cached_property
    def manager_with_queryset(self) -> Any:
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance: Any, owner: Any) -> Any:
        return self.manager_with_queryset(self.model, instance)


def cache_history_managers() -> int:
    """Put the caching descriptor in place of each tracked model's own; how many were replaced."""
    replaced = 0
    for model in apps.get_models():
        name: str | None = getattr(model._meta, "simple_history_manager_attribute", None)
        if not name:
            continue
        descriptor: Any = model.__dict__.get(name)
        if type(descriptor) is HistoryDescriptor:
            cached = CachedHistoryDescriptor(
                descriptor.model,
                manager=descriptor.manager_class,
                queryset=descriptor.queryset_class,
            )
            setattr(model, name, cached)
            replaced += 1
    return replaced
