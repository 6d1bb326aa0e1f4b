import pytest

from tests.factories import make_user
from zhongshu.customfields import services as cf_services


@pytest.fixture
def manager(east):
    return make_user("manager", regions=("华东",), username="manager")


@pytest.fixture
def planner(db):
    return make_user("planner", username="planner")


@pytest.fixture
def define(admin_user):
    """``define(entity, key, type, **options)`` → a field defined by the administrator."""

    def make(entity, key, ftype, **options):
        options.setdefault("label_zh", f"字段{key}")
        options.setdefault("label_en", f"Field {key}")
        return cf_services.field_create(
            actor=admin_user, entity=entity, key=key, type=ftype, **options
        )

    return make


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
