"""The shipped "due in 3 days and not started" rule also tells each supervisor in person (their
chat app, else the inbox) — added only where the rule's actions are still the shipped ones."""

from django.db import migrations

OLD_CHANNELS = ["wecom"]


def add_app_reminder(apps, schema_editor):
    from zhongshu.rules.defaults import APP_REMINDER

    Rule = apps.get_model("zs_rules", "Rule")
    for rule in Rule.objects.filter(builtin_key="due_soon_not_started"):
        channels = [a.get("channel") for a in rule.actions if a.get("type") == "notify"]
        if channels == OLD_CHANNELS:
            rule.actions = [*rule.actions, dict(APP_REMINDER)]
            rule.save(update_fields=["actions"])


def remove_app_reminder(apps, schema_editor):
    Rule = apps.get_model("zs_rules", "Rule")
    for rule in Rule.objects.filter(builtin_key="due_soon_not_started"):
        rule.actions = [a for a in rule.actions if a.get("channel") != "app"]
        rule.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [("zs_rules", "0005_rulesetversion")]

    operations = [migrations.RunPython(add_app_reminder, remove_app_reminder)]
