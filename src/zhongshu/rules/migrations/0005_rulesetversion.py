"""The rule set's version token and the triggers that change it (see ``RuleSetVersion``)."""

from django.db import migrations, models

# a change of any of these columns changes what the engine does (not ``last_scan_at``)
COLUMNS = (
    "name", "description", "enabled", "triggers", "interval_minutes", "condition", "actions",
    "dedupe", "builtin_key", "created_by_id", "created_at", "updated_at",
)  # fmt: skip


def install(apps, schema_editor):
    qn = schema_editor.quote_name
    rule = qn(apps.get_model("zs_rules", "Rule")._meta.db_table)
    version = qn(apps.get_model("zs_rules", "RuleSetVersion")._meta.db_table)
    cols = ", ".join(qn(c) for c in COLUMNS)
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # two plain statements: an outer "INSERT OR IGNORE" (bulk_create(ignore_conflicts=True))
        # would override the conflict clause of an upsert inside the trigger
        bump = (
            f"INSERT OR IGNORE INTO {version} (id, token) VALUES (1, ''); "
            f"UPDATE {version} SET token = lower(hex(randomblob(16))) WHERE id = 1;"
        )
        for name, event in (
            ("ins", "INSERT"),
            ("del", "DELETE"),
            ("upd", f"UPDATE OF {cols}"),
        ):
            schema_editor.execute(
                f"CREATE TRIGGER zs_rules_version_{name} AFTER {event} ON {rule} "
                f"FOR EACH ROW BEGIN {bump} END"
            )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION zs_rules_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN INSERT INTO {version} (id, token) "
            "VALUES (1, md5(random()::text || clock_timestamp()::text || txid_current()::text)) "
            "ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token; RETURN NULL; END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER zs_rules_version AFTER INSERT OR DELETE OR UPDATE OF {cols} "
            f"ON {rule} FOR EACH STATEMENT EXECUTE FUNCTION zs_rules_version_bump()"
        )
    else:  # no trigger: the engine reloads the rules on every event (see services.rules_for)
        return
    apps.get_model("zs_rules", "RuleSetVersion").objects.update_or_create(
        pk=1, defaults={"token": "initial"}
    )


def uninstall(apps, schema_editor):
    rule = schema_editor.quote_name(apps.get_model("zs_rules", "Rule")._meta.db_table)
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in ("ins", "del", "upd"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS zs_rules_version_{name}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS zs_rules_version ON {rule}")
        schema_editor.execute("DROP FUNCTION IF EXISTS zs_rules_version_bump()")


class Migration(migrations.Migration):
    dependencies = [("zs_rules", "0004_tier_default_rule")]

    operations = [
        migrations.CreateModel(
            name="RuleSetVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=32)),
            ],
            options={"verbose_name": "rule set version"},
        ),
        migrations.RunPython(install, uninstall),
    ]
