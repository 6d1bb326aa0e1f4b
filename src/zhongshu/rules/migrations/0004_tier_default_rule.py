from django.db import migrations


def install_defaults(apps, schema_editor):
    from zhongshu.rules.defaults import install

    install(apps.get_model("zs_rules", "Rule"))


def remove_tier_rule(apps, schema_editor):
    apps.get_model("zs_rules", "Rule").objects.filter(
        builtin_key="tier_at_risk_followup"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("zs_rules", "0003_customer_lists_tier_rules")]

    operations = [migrations.RunPython(install_defaults, remove_tier_rule)]
