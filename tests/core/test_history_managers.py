"""``Model.history`` builds its manager class once per model (zhongshu.core.history) and still
answers as simple_history's does: the model's whole history, or one instance's."""

import pytest
from django.apps import apps

from tests.factories import MaterialFactory
from zhongshu.catalog.models import Material
from zhongshu.core.history import CachedHistoryDescriptor


def test_every_tracked_model_builds_its_manager_class_once():
    tracked = [
        m for m in apps.get_models() if getattr(m._meta, "simple_history_manager_attribute", None)
    ]
    assert len(tracked) > 20
    for model in tracked:
        name = model._meta.simple_history_manager_attribute
        assert isinstance(model.__dict__[name], CachedHistoryDescriptor), model
        assert type(getattr(model, name)) is type(getattr(model, name)), model


@pytest.mark.django_db
def test_the_history_of_a_model_and_of_one_instance():
    bolt = MaterialFactory(name="螺栓")
    nut = MaterialFactory(name="螺母")
    bolt.name = "六角螺栓"
    bolt.save()

    assert bolt.history.count() == 2
    assert [h.name for h in bolt.history.order_by("history_id")] == ["螺栓", "六角螺栓"]
    assert nut.history.count() == 1
    assert Material.history.filter(id__in=[bolt.id, nut.id]).count() == 3
    assert bolt.history.most_recent().name == "六角螺栓"
