"""What the data migrations ship (the default rules, the roles' saved list views, …) stays in the
test database for every test.

A transactional test (browser, live server, threads) ends by emptying every table; Django then
sends ``post_migrate``, which brings back what ``post_migrate`` handlers make (content types,
permissions, the role groups) but not the rows data migrations wrote. ``keep_shipped_data()``
takes a copy of those rows the first time ``post_migrate`` is sent (when the test database has
just been migrated) and writes it back every later time a table of theirs is empty.
"""

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.db import connections
from django.db.models.signals import post_migrate

_shipped: dict[str, list] = {}  # database alias → the rows as serialized objects, in order


def _project_models():
    models = [m for m in apps.get_models() if m.__module__.startswith("zhongshu.")]
    return serializers.sort_dependencies([(None, models)], allow_cycles=True)


def _snapshot(using: str) -> list:
    rows = []
    for model in _project_models():
        objects = model._base_manager.using(using).order_by("pk")
        if objects.exists():
            rows.append((model, serializers.serialize("python", objects)))
    return rows


def _restore(using: str) -> None:
    missing = [
        (model, data)
        for model, data in _shipped[using]
        if not model._base_manager.using(using).exists()
    ]
    for _model, data in missing:
        for obj in serializers.deserialize("python", data, using=using):
            obj.save(using=using)
    if missing:
        connection = connections[using]
        statements = connection.ops.sequence_reset_sql(no_style(), [m for m, _ in missing])
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _on_post_migrate(sender, using="default", **kwargs):
    if sender is not list(apps.get_app_configs())[-1]:
        return  # once per migrate or flush, after every app's own handlers
    if using not in _shipped:
        _shipped[using] = _snapshot(using)
    else:
        _restore(using)


def keep_shipped_data() -> None:
    post_migrate.connect(_on_post_migrate, dispatch_uid="tests.support.shipped")


def remember_shipped_data(using: str = "default") -> None:
    """Take the copy now, from the database as set up. A test database copied from a migrated
    template sends no ``post_migrate`` of its own, so without this the first copy would be taken
    after the first transactional test had emptied every table — and the shipped rows (roles,
    the rule set's version, flows) would never come back for the rest of that worker's tests."""
    _shipped[using] = _snapshot(using)
