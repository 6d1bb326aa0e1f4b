"""A movement's level, material, warehouse and order are found through the movement_* (x, -id)
indexes, which serve a look-up by x alone too: their single-column indexes go, four indexes fewer
to keep up on every movement written.

Only the indexes are dropped (``DROP INDEX``): an ``AlterField`` would also drop and re-add the
foreign key constraints, which checks every row again under a table lock, and on SQLite would
rebuild the table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_material_new_since"),
        ("inventory", "0008_mto_component_shortage"),
        ("orders", "0008_order_single_fk_indexes_dropped"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS inventory_stockmovement_level_id_463770a9",
                    reverse_sql='CREATE INDEX inventory_stockmovement_level_id_463770a9 ON inventory_stockmovement ("level_id")',
                ),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS inventory_stockmovement_material_id_675a84c8",
                    reverse_sql='CREATE INDEX inventory_stockmovement_material_id_675a84c8 ON inventory_stockmovement ("material_id")',
                ),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS inventory_stockmovement_order_id_12654f30",
                    reverse_sql='CREATE INDEX inventory_stockmovement_order_id_12654f30 ON inventory_stockmovement ("order_id")',
                ),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS inventory_stockmovement_warehouse_id_401c7fc4",
                    reverse_sql='CREATE INDEX inventory_stockmovement_warehouse_id_401c7fc4 ON inventory_stockmovement ("warehouse_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='stockmovement',
                    name='level',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='movements', to='inventory.stocklevel'),
                ),
                migrations.AlterField(
                    model_name='stockmovement',
                    name='material',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.material'),
                ),
                migrations.AlterField(
                    model_name='stockmovement',
                    name='order',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='stock_movements', to='orders.order'),
                ),
                migrations.AlterField(
                    model_name='stockmovement',
                    name='warehouse',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='inventory.warehouse'),
                ),
            ],
        ),
    ]
