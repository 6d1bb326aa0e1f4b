"""The shipped rule that fills the trial-invitation list (新品试用邀请) from the segmentation:
a customer that becomes 高价值稳定客户 is added to it."""

from django.db import migrations


def install_defaults(apps, schema_editor):
    from zhongshu.rules.defaults import install

    install(apps.get_model("zs_rules", "Rule"))


def remove_trial_rule(apps, schema_editor):
    apps.get_model("zs_rules", "Rule").objects.filter(builtin_key="tier_key_trial_list").delete()


class Migration(migrations.Migration):
    dependencies = [("zs_rules", "0006_people_app_reminder")]

    operations = [migrations.RunPython(install_defaults, remove_trial_rule)]
