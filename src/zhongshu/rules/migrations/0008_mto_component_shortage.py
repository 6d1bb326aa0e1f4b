"""The shipped shortage rule also blocks on missing components of make-to-order lines — changed
only where its condition is still the shipped one."""

from django.db import migrations

OLD = {"all": [{"field": "stock_shortage", "op": "eq", "value": True}]}
NEW = {
    "any": [
        {"field": "stock_shortage", "op": "eq", "value": True},
        {"field": "component_shortage", "op": "eq", "value": True},
    ]
}


def widen(apps, schema_editor):
    Rule = apps.get_model("zs_rules", "Rule")
    for rule in Rule.objects.filter(builtin_key="stock_shortage_block"):
        if rule.condition == OLD:
            rule.condition = NEW
            rule.save(update_fields=["condition"])


def narrow(apps, schema_editor):
    Rule = apps.get_model("zs_rules", "Rule")
    for rule in Rule.objects.filter(builtin_key="stock_shortage_block"):
        if rule.condition == NEW:
            rule.condition = OLD
            rule.save(update_fields=["condition"])


class Migration(migrations.Migration):
    dependencies = [("zs_rules", "0007_golive_trial_list_rule")]

    operations = [migrations.RunPython(widen, narrow)]
