"""The production permission matrix: every role × every /api/v1/production endpoint × objects
of two regions and of two operators, with the exact HTTP status (SPEC §2, §5).

Written out by hand, not derived from ``permissions.can``. A refused request changes nothing; an
allowed write changes something. Operators see and work only their own tasks (or those of lines
they are members of); tasks are not region-scoped, task sheets follow the order scope.
"""

import itertools

import pytest

from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    RegionFactory,
    give_routing,
    make_order,
    make_user,
)
from tests.support.fingerprint import Fingerprint
from tests.support.matrix import MatrixRunner, World, add_role_users, expand, module_world
from zhongshu.production import services
from zhongshu.production.models import (
    BomLine,
    CalendarException,
    LineLoad,
    Operation,
    ProductionPlan,
    Routing,
    Task,
    TaskSheet,
    WorkCenter,
)


def _build() -> World:
    w = World()
    east, north = RegionFactory(name="华东"), RegionFactory(name="华北")
    c_east = CustomerFactory(code="C-EAST", region=east)
    c_north = CustomerFactory(code="C-NORTH", region=north)
    add_role_users(w, "p_")
    other_op = make_user("operator", username="p_other_op")
    line = WorkCenter.objects.create(code="M-LINE", name="矩阵线", hours_per_shift=8)
    mine = MaterialFactory(code="M-MINE", fulfilment="make", routing=False)
    theirs = MaterialFactory(code="M-THEIRS", fulfilment="make", routing=False)
    give_routing(mine, (line, "1", "0.1", w.users["operator"]), (line, "1", "0.1", None))
    give_routing(theirs, (line, "1", "0.1", other_op))
    MaterialFactory(code="M-RAW", kind="raw")

    def order(customer, actor, material):
        lines = [{"material": material.code, "quantity": "3", "unit_price": "1"}]
        return make_order(actor=actor, customer=customer, lines=lines, status="confirmed")

    e_order = order(c_east, w.users["sales"], mine)
    n_order = order(c_north, w.users["admin"], theirs)
    running = order(c_east, w.users["sales"], mine)
    run_task = Task.objects.filter(order=running).order_by("sequence").first()
    services.task_start(actor=w.users["operator"], task_id=run_task.pk)
    halted = order(c_east, w.users["sales"], mine)
    halted_task = Task.objects.filter(order=halted).order_by("sequence").first()
    services.task_start(actor=w.users["operator"], task_id=halted_task.pk)
    services.task_pause(actor=w.users["operator"], task_id=halted_task.pk, reason="machine_down")
    w.ids.update(
        WC=line.pk,
        MAT=mine.code,
        E_ORDER=e_order.pk,
        N_ORDER=n_order.pk,
        MY_TASK=Task.objects.filter(order=e_order).order_by("sequence").first().pk,
        OTHER_TASK=Task.objects.get(order=n_order).pk,
        RUNNING=run_task.pk,
        PAUSED=halted_task.pk,
        OP_ID=w.users["operator"].pk,
        NO_SUCH=10**9,
    )
    return w


world = module_world(_build)
fingerprint = Fingerprint(WorkCenter, CalendarException, Routing, Operation, BomLine, TaskSheet,
                          Task, ProductionPlan, LineLoad)  # fmt: skip
run = MatrixRunner(fingerprint)


_codes = itertools.count(1)
P = "/api/v1/production"
VIEW = "200 200 403 200 200 200 200 403 403 403"
MANAGE = "200 403 403 200 403 403 403 403 403 403"

#            admin manager sales planner supervisor operator qc warehouse purchasing finance
API = [
    ("wc.list", "get", f"{P}/work-centers", None, VIEW),
    ("wc.get", "get", f"{P}/work-centers/{{WC}}", None, VIEW),
    ("wc.get.missing", "get", f"{P}/work-centers/{{NO_SUCH}}",
     None, "404 404 403 404 404 404 404 403 403 403"),
    ("wc.create", "post", f"{P}/work-centers",
     lambda w: {"code": f"N{next(_codes)}", "name": "新线"},
     "201 403 403 201 403 403 403 403 403 403"),
    ("wc.patch", "patch", f"{P}/work-centers/{{WC}}",
     lambda w: {"version": WorkCenter.objects.get(pk=w.ids["WC"]).version, "shifts_per_day": 2},
     MANAGE),
    ("cal.list", "get", f"{P}/calendar/exceptions", None, VIEW),
    ("cal.days", "get", f"{P}/calendar/days?start=2026-10-01&end=2026-10-10&work_center_id={{WC}}",
     None, VIEW),
    ("cal.put", "put", f"{P}/calendar/exceptions",
     lambda w: {"date": "2026-10-03", "working": True, "hours": "4"}, MANAGE),
    ("routing.get", "get", f"{P}/routings/{{MAT}}", None, VIEW),
    ("routing.put", "put", f"{P}/routings/{{MAT}}",
     lambda w: {"operations": [{"work_center": "M-LINE", "run_hours_per_unit": "0.2"}]}, MANAGE),
    ("bom.get", "get", f"{P}/boms/{{MAT}}", None, VIEW),
    ("bom.put", "put", f"{P}/boms/{{MAT}}",
     lambda w: {"lines": [{"component": "M-RAW", "quantity_per_unit": "2"}]}, MANAGE),
    # task sheets follow the order scope: QC sees orders from in production on, operators none
    ("sheets.own", "get", f"{P}/orders/{{E_ORDER}}/sheets",
     None, "200 200 403 200 200 404 404 403 403 403"),
    ("sheets.other", "get", f"{P}/orders/{{N_ORDER}}/sheets",
     None, "200 200 403 200 200 404 404 403 403 403"),
    ("tasks.list", "get", f"{P}/tasks", None, VIEW),
    ("task.get.mine", "get", f"{P}/tasks/{{MY_TASK}}", None, VIEW),
    ("task.get.other", "get", f"{P}/tasks/{{OTHER_TASK}}",
     None, "200 200 403 200 200 404 200 403 403 403"),
    ("task.start.mine", "post", f"{P}/tasks/{{MY_TASK}}/start",
     lambda w: {}, "200 403 403 403 200 200 403 403 403 403"),
    ("task.start.other", "post", f"{P}/tasks/{{OTHER_TASK}}/start",
     lambda w: {}, "200 403 403 403 200 404 403 403 403 403"),
    ("task.finish.mine", "post", f"{P}/tasks/{{RUNNING}}/finish",
     lambda w: {}, "200 403 403 403 200 200 403 403 403 403"),
    # a task that is not running cannot be finished, whoever asks
    ("task.finish.pending", "post", f"{P}/tasks/{{MY_TASK}}/finish",
     lambda w: {}, "409 403 403 403 409 409 403 403 403 403"),
    ("task.finish.with_quantities", "post", f"{P}/tasks/{{RUNNING}}/finish",
     lambda w: {"good_quantity": "2", "scrap_quantity": "1"},
     "200 403 403 403 200 200 403 403 403 403"),
    ("task.pause.mine", "post", f"{P}/tasks/{{RUNNING}}/pause",
     lambda w: {"reason": "material_missing"}, "200 403 403 403 200 200 403 403 403 403"),
    # another operator's task is not seen by an operator; a pending task cannot be paused
    ("task.pause.other", "post", f"{P}/tasks/{{OTHER_TASK}}/pause",
     lambda w: {"reason": "machine_down"}, "409 403 403 403 409 404 403 403 403 403"),
    ("task.resume.paused", "post", f"{P}/tasks/{{PAUSED}}/resume",
     lambda w: {}, "200 403 403 403 200 200 403 403 403 403"),
    ("task.resume.running", "post", f"{P}/tasks/{{RUNNING}}/resume",
     lambda w: {}, "409 403 403 403 409 409 403 403 403 403"),
    ("task.finish.paused", "post", f"{P}/tasks/{{PAUSED}}/finish",
     lambda w: {}, "409 403 403 403 409 409 403 403 403 403"),
    # nothing was finished in the last minute: undo is refused for those who may work
    ("task.undo.running", "post", f"{P}/tasks/{{RUNNING}}/undo-finish",
     lambda w: {}, "409 403 403 403 409 409 403 403 403 403"),
    ("task.undo.other", "post", f"{P}/tasks/{{OTHER_TASK}}/undo-finish",
     lambda w: {}, "409 403 403 403 409 404 403 403 403 403"),
    ("task.assign", "post", f"{P}/tasks/{{OTHER_TASK}}/assign",
     lambda w: {"owner_id": w.ids["OP_ID"]}, "200 403 403 200 200 403 403 403 403 403"),
    ("task.pin", "post", f"{P}/tasks/{{OTHER_TASK}}/pin",
     lambda w: {"date": "2027-03-01"}, MANAGE),
    ("reschedule", "post", f"{P}/reschedule", lambda w: {}, MANAGE),
    ("load", "get", f"{P}/load?start=2026-10-01&end=2026-10-31", None, VIEW),
    ("at_risk", "get", f"{P}/at-risk", None, "200 200 403 200 200 403 200 403 403 403"),
]  # fmt: skip


@pytest.mark.parametrize("case,method,path,body,role,expected", expand(API, 4))
def test_api(world, db, case, method, path, body, role, expected):
    # given a user holding exactly one role, and the world as it is
    # when the user calls the endpoint
    outcome = run.api(world, role, method, path, body)

    # then the status is exact, a refusal changed nothing, an allowed write changed something
    outcome.expect(expected, method)
