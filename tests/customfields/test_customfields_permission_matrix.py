"""Who may define fields, share views and see a field's values: role × action × region, each
refusal changing nothing."""

import pytest

from tests.customfields.conftest import PDF
from tests.factories import CustomerFactory, make_order, make_user
from zhongshu.accounts.roles import Role
from zhongshu.core.errors import NotFound, PermissionDenied
from zhongshu.customfields import selectors, services
from zhongshu.customfields.models import FieldDefinition
from zhongshu.listviews import services as view_services
from zhongshu.listviews.models import SavedView

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role]
MAY_DEFINE = {"admin"}
MAY_SHARE = {"admin", "manager"}
MAY_SAVE_PERSONAL = set(ROLES) - {"operator"}


@pytest.mark.parametrize("role", ROLES)
def test_defining_a_field(role):
    user = make_user(role, regions=("华东",))
    if role in MAY_DEFINE:
        services.field_create(actor=user, entity="order", key="k", label_zh="K")
        assert FieldDefinition.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.field_create(actor=user, entity="order", key="k", label_zh="K")
        assert not FieldDefinition.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_sharing_a_view_with_a_role(role):
    user = make_user(role, regions=("华东",))
    before = SavedView.objects.count()
    if role in MAY_SHARE:
        view_services.view_save(actor=user, name="共享", columns=["number"], share_with_role="qc")
        assert SavedView.objects.count() == before + 1
    else:
        with pytest.raises(PermissionDenied):
            view_services.view_save(
                actor=user, name="共享", columns=["number"], share_with_role="qc"
            )
        assert SavedView.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_keeping_a_personal_view(role):
    user = make_user(role, regions=("华东",))
    if role in MAY_SAVE_PERSONAL:
        view = view_services.view_save(actor=user, name="我的", columns=["number"])
        assert view.owner == user
    else:
        with pytest.raises(PermissionDenied):
            view_services.view_save(actor=user, name="我的", columns=["number"])
        assert not SavedView.objects.filter(owner=user).exists()


@pytest.mark.parametrize("viewer", ROLES)
@pytest.mark.parametrize("visible_to", [(), ("manager",), ("qc", "warehouse")])
def test_who_sees_a_field(viewer, visible_to):
    admin = make_user("admin")
    defn = services.field_create(
        actor=admin, entity="order", key="k", label_zh="K", view_roles=list(visible_to)
    )
    user = make_user(viewer)
    expected = not visible_to or viewer in visible_to or viewer == "admin"
    assert (defn in selectors.visible(user, "order")) is expected
    assert (defn.param in dict(_columns(user))) is expected


def _columns(user):
    from zhongshu.listviews.columns import available

    return available(user).items()


@pytest.mark.parametrize("where", ["own region", "other region"])
@pytest.mark.parametrize("role", ["sales", "manager", "admin"])
def test_a_custom_file_downloads_only_with_its_order(role, where, east, north):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = make_user("admin", regions=("华东",))
    services.field_create(actor=admin, entity="order", key="drawing", label_zh="图纸", type="file")
    row = services.file_upload(
        actor=admin, entity="order", key="drawing",
        upload=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
    )  # fmt: skip
    region = east if where == "own region" else north
    customer = CustomerFactory(code="CX", region=region)
    make_order(actor=admin, customer=customer, custom={"drawing": row.pk})
    user = make_user(role, regions=("华东",))
    sees_all = role in ("manager", "admin")
    if sees_all or where == "own region":
        assert selectors.file_get(actor=user, file_id=row.pk) == row
    else:
        with pytest.raises(NotFound):
            selectors.file_get(actor=user, file_id=row.pk)
