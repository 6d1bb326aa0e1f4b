"""An order's customer and sales owner are found through order_customer_id and order_owner_id
((x, -id) indexes, which serve a look-up by x alone too): their single-column indexes go, one
index fewer each to keep up on every status change.

Only the indexes are dropped (``DROP INDEX``): an ``AlterField`` would also drop and re-add the
foreign key constraints, which checks every row again (a million orders) under a table lock,
and on SQLite would rebuild the table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_customer_custom_values"),
        ("orders", "0007_external_no_trigram"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS orders_order_customer_id_0b76f6a4",
                    reverse_sql='CREATE INDEX orders_order_customer_id_0b76f6a4 ON orders_order ("customer_id")',
                ),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS orders_order_sales_owner_id_af39df95",
                    reverse_sql='CREATE INDEX orders_order_sales_owner_id_af39df95 ON orders_order ("sales_owner_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="sales_owner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="owned_orders",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="sales owner",
                    ),
                ),
            ],
        ),
    ]
