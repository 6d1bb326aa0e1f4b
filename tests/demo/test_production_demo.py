from zhongshu.catalog.models import Material
from zhongshu.orders.models import Order
from zhongshu.production import demo as production_demo
from zhongshu.production.models import LineLoad, ProductionPlan, Task, TaskSheet, WorkCenter


def test_demo_factory_has_lines_routings_and_live_task_sheets(demo_factory, db):
    # given the whole demo, seeded and committed
    ctx = demo_factory.ctx
    # then three lines and a routing for every make-to-order product
    assert production_demo.SEED_ORDER < 50
    assert sorted(WorkCenter.objects.values_list("name", flat=True)) == sorted(
        ["CNC 加工线", "车削线", "装配线"]
    )
    make = Material.objects.filter(fulfilment="make")
    assert not make.filter(routing__isnull=True).exists()
    assert ctx.counts["routings"] == make.count()
    # every order past confirmation with make lines has its task sheets
    released = Order.objects.filter(
        status__in=["confirmed", "scheduling", "in_production", "awaiting_qc"],
        lines__fulfilment="make",
    ).distinct()
    assert released.exists()
    assert not released.exclude(pk__in=TaskSheet.objects.values("order_id")).exists()
    # orders in production have work running; orders awaiting QC have nothing open
    in_production = Order.objects.filter(status="in_production")
    assert Task.objects.filter(order__in=in_production, status="in_progress").exists()
    assert not Task.objects.filter(
        order__status="awaiting_qc", status__in=["pending", "in_progress"]
    ).exists()
    # and the schedule ran once it all committed: planned dates, plans, load
    open_tasks = Task.objects.filter(status__in=["pending", "in_progress"])
    assert open_tasks.exists()
    assert not open_tasks.filter(planned_finish__isnull=True).exists()
    assert ProductionPlan.objects.count() == open_tasks.values("order_id").distinct().count()
    assert LineLoad.objects.exists()
