"""生产任务单/流转卡: one row per operation with a QR code (segno) of the URL that opens the task
on the phone. Opening it needs a login; an operator of the task's line gets the task ready to
start; another line's operator is refused; the PDF carries the sheet and a QR image per
operation."""

import re

import pytest
import segno
from django.test import Client

from tests.factories import CustomerFactory, MaterialFactory, give_routing, make_order, make_user
from zhongshu.production.models import Task, WorkCenter
from zhongshu.production.selectors import can_start

from .support import pdf_pages


@pytest.fixture
def sheet(db, django_capture_on_commit_callbacks):
    turn = WorkCenter.objects.create(
        code="TURN", name="车削线", hours_per_shift=8, shifts_per_day=2
    )
    assy = WorkCenter.objects.create(
        code="ASSY", name="装配线", hours_per_shift=8, shifts_per_day=1
    )
    shaft = MaterialFactory(code="SHAFT-40", name="传动轴", fulfilment="make", routing=False)
    give_routing(shaft, (turn, "1", "0.5", None), (assy, "0.5", "0.1", None))
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(
            actor=make_user("admin"),
            customer=CustomerFactory(code="C-1", name="苏州精工机械"),
            lines=[{"material": "SHAFT-40", "quantity": "10", "unit_price": "100"}],
            status="confirmed",
        )
    tasks = list(Task.objects.filter(order=order).order_by("sequence"))
    turner, assembler = make_user("operator"), make_user("operator")
    turn.members.add(turner)
    assy.members.add(assembler)
    return {"tasks": tasks, "turner": turner, "assembler": assembler, "order": order}


QR_LINK = re.compile(r'<td class="qr"><a href="([^"]+)">(<svg.*?</svg>)</a>', re.S)


def test_each_operation_has_a_qr_code_of_its_task_url(sheet):
    tasks = sheet["tasks"]
    client = Client()
    client.force_login(make_user("planner"))
    html = client.get(f"/documents/task-sheets/{tasks[0].sheet_id}/").content.decode()
    found = QR_LINK.findall(html)
    assert [url for url, _svg in found] == [
        f"http://testserver/documents/tasks/{t.pk}/" for t in tasks
    ]
    for url, svg in found:  # the code drawn is the code of that very URL
        assert svg == segno.make(url, error="m").svg_inline(scale=2, border=2)
    for text in (tasks[0].sheet.number, sheet["order"].number, "传动轴", "车削线", "装配线"):
        assert text in html


def test_the_qr_url_opens_the_task_for_its_lines_operator_only(sheet):
    first = sheet["tasks"][0]
    url = f"/documents/tasks/{first.pk}/"
    assert Client().get(url).status_code == 302  # login first
    turner = Client()
    turner.force_login(sheet["turner"])
    r = turner.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-task="{first.pk}"' in html and first.sheet.number in html
    assert f"/production/tasks/{first.pk}/start/" in html  # ready to start
    assert can_start(sheet["turner"], first)
    # another line's operator: not their task, refused (the production scope: not found)
    assembler = Client()
    assembler.force_login(sheet["assembler"])
    r = assembler.get(url)
    assert r.status_code == 404
    assert first.sheet.number.encode() not in r.content
    # the start button on the page works for the line's operator
    r = turner.post(f"/production/tasks/{first.pk}/start/",
                    {"version": first.version, "next": url})  # fmt: skip
    first.refresh_from_db()
    assert first.status == "in_progress" and first.owner == sheet["turner"]
    assert f"/production/tasks/{first.pk}/finish/" in turner.get(url).content.decode()


def test_task_sheet_pdf(sheet):
    tasks = sheet["tasks"]
    client = Client()
    client.force_login(make_user("supervisor"))
    r = client.get(f"/documents/task-sheets/{tasks[0].sheet_id}/?format=pdf&paper=241")
    assert r.status_code == 200
    (text,) = pdf_pages(r.content)
    for expected in (tasks[0].sheet.number, "生产任务单", "传动轴", "车削线", "装配线"):
        assert expected in text, expected
    assert r.content.count(b"/Subtype /Image") == len(tasks)  # one QR image per operation


def test_operators_and_sales_do_not_print_task_sheets(sheet):
    for role in ("operator", "sales"):
        client = Client()
        client.force_login(make_user(role))
        assert (
            client.get(f"/documents/task-sheets/{sheet['tasks'][0].sheet_id}/").status_code == 403
        )
