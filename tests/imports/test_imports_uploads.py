"""What an upload leaves behind: a file name of any length is kept as the user gave it without
breaking the file system, and a refused upload does not stay on disk."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.imports.conftest import future, xlsx
from tests.support.sheets import hostile_xlsx
from zhongshu.imports.models import BatchStatus, ImportBatch
from zhongshu.imports.services import fail_batch

pytestmark = pytest.mark.django_db(transaction=True)

ORDER_ROWS = [
    ["外部单号", "客户编码", "物料编码", "数量", "交期"],
    ["X-1", "C-EAST", "M-001", 1, future()],
]


def _post(api, name: str, content: bytes):
    return api.client.post(
        "/api/v1/imports",
        {"kind": "orders", "file": SimpleUploadedFile(name, content)},
        headers=api.headers,
    )


def test_a_file_name_of_200_chinese_characters_is_kept_and_stored(world, api_as):
    name = "华东区二〇二六年十二月订单汇总" * 14 + ".xlsx"  # 215 characters, 600+ bytes
    resp = _post(api_as(world.sales), name, xlsx(ORDER_ROWS))
    assert resp.status_code == 201, resp.content
    batch = ImportBatch.objects.get(pk=resp.json()["id"])
    assert batch.original_name == name[-150:]
    assert len(batch.file.name.rsplit("/", 1)[-1].encode()) < 100
    assert batch.file.storage.exists(batch.file.name)


def test_a_refused_file_is_deleted_and_the_batch_kept_with_the_reason(world, api_as):
    # files other tests of the run left behind (same content, same name prefix) are not this one
    before = set(_stored_files())
    resp = _post(api_as(world.sales), "h.xlsx", hostile_xlsx())
    batch = ImportBatch.objects.get(kind="orders")
    assert (resp.status_code, resp.json()["code"]) == (422, "bad_file")
    assert batch.status == BatchStatus.FAILED and "150,000" in batch.message
    assert batch.file.name == ""
    assert not [f for f in set(_stored_files()) - before if f.startswith(batch.sha256[:32])]


def test_failing_a_committed_batch_changes_nothing(world, api_as):
    resp = _post(api_as(world.sales), "ok.xlsx", xlsx(ORDER_ROWS))
    batch = ImportBatch.objects.get(pk=resp.json()["id"])
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.COMMITTED)
    fail_batch(batch_id=batch.pk, message="late crash report")
    batch.refresh_from_db()
    assert (batch.status, batch.message) == (BatchStatus.COMMITTED, "")
    assert batch.file.storage.exists(batch.file.name)


def _stored_files():
    storage = ImportBatch.file.field.storage
    found: list[str] = []
    if not storage.exists("imports"):
        return found
    for top in storage.listdir("imports")[0]:
        for month in storage.listdir(f"imports/{top}")[0]:
            found += storage.listdir(f"imports/{top}/{month}")[1]
    return found
