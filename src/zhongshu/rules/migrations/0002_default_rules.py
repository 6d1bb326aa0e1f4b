from django.db import migrations


def install_defaults(apps, schema_editor):
    from zhongshu.rules.defaults import install

    install(apps.get_model("zs_rules", "Rule"))


def remove_defaults(apps, schema_editor):
    apps.get_model("zs_rules", "Rule").objects.exclude(builtin_key="").delete()


class Migration(migrations.Migration):
    dependencies = [("zs_rules", "0001_initial")]

    operations = [migrations.RunPython(install_defaults, remove_defaults)]
