"""Releasing a new product: the account owners of the customers on the trial list (新品试用邀请)
get a follow-up to invite each of them and a message — once, whatever is repeated."""

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, MaterialFactory, RegionFactory, make_order, make_user
from zhongshu.catalog.models import Material
from zhongshu.notify.models import Message
from zhongshu.rules.models import CustomerList, CustomerListMember, FollowUp

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial_world(db):
    east = RegionFactory(name="华东")
    owner = make_user("sales", regions=("华东",), username="trial_owner")
    colleague = make_user("sales", regions=("华东",), username="trial_region")
    ordered = CustomerFactory(code="C-ORD", name="甲机械", region=east)
    make_order(actor=owner, customer=ordered)  # its latest order's owner follows it up
    quiet = CustomerFactory(
        code="C-NEW", name="乙精工", region=east
    )  # no order: the region's sales
    outside = CustomerFactory(code="C-OUT", name="丙不在名单", region=east)
    trial = CustomerList.objects.create(name="新品试用邀请")
    for c in (ordered, quiet):
        CustomerListMember.objects.create(customer_list=trial, customer=c)
    material = MaterialFactory(code="P-NEW-1", name="新型法兰")
    return {"owner": owner, "colleague": colleague, "outside": outside, "material": material}


def test_release_invites_the_trial_list_through_its_owners(
    trial_world, api_as, planner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = api_as(planner).post("/api/v1/materials/P-NEW-1/release-new", {})
    assert r.status_code == 200, r.json()
    assert r.json()["new_since"]
    invites = FollowUp.objects.filter(dedupe_key__startswith="newproduct:")
    by_customer = {}
    for task in invites:
        by_customer.setdefault(task.customer.code, set()).add(task.assignee.username)
    assert by_customer == {"C-ORD": {"trial_owner"}, "C-NEW": {"trial_owner", "trial_region"}}
    assert all("P-NEW-1" in t.title and t.due_date for t in invites)
    told = Message.objects.filter(source="rules", subject__contains="P-NEW-1")
    assert {m.recipient.username for m in told} == {"trial_owner", "trial_region"}


def test_a_second_release_is_refused_and_invites_nobody_again(
    trial_world, api_as, planner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_as(planner).post("/api/v1/materials/P-NEW-1/release-new", {})
    tasks, messages = FollowUp.objects.count(), Message.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        r = api_as(planner).post("/api/v1/materials/P-NEW-1/release-new", {})
    assert (r.status_code, r.json()["code"]) == (409, "conflict")
    assert (FollowUp.objects.count(), Message.objects.count()) == (tasks, messages)


@pytest.mark.parametrize("role", ["sales", "warehouse", "operator"])
def test_only_material_managers_release(trial_world, api_as, role):
    r = api_as(make_user(role, regions=("华东",))).post("/api/v1/materials/P-NEW-1/release-new", {})
    assert r.status_code == 403
    assert Material.objects.get(code="P-NEW-1").new_since is None
    assert not FollowUp.objects.exists()


def test_an_inactive_material_is_not_released(trial_world, api_as, planner):
    Material.objects.filter(code="P-NEW-1").update(is_active=False)
    r = api_as(planner).post("/api/v1/materials/P-NEW-1/release-new", {})
    assert r.status_code == 409
    assert Material.objects.get(code="P-NEW-1").new_since is None


def test_the_material_page_releases_it_in_chinese(
    trial_world, client_as, planner, django_capture_on_commit_callbacks
):
    client = client_as(planner)
    page = client.get(reverse("catalog:material_edit", kwargs={"code": "P-NEW-1"}))
    assert "作为新品发布" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("catalog:material_release_new", kwargs={"code": "P-NEW-1"}))
    assert r.status_code == 302
    page = client.get(r["Location"])
    assert "已作为新品发布" in page.content.decode()
    assert FollowUp.objects.filter(dedupe_key__startswith="newproduct:").count() == 3
