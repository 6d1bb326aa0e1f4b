from django.db import migrations


def install(apps, schema_editor):
    from zhongshu.listviews.defaults import install

    install(apps.get_model("listviews", "SavedView"))


class Migration(migrations.Migration):
    dependencies = [("listviews", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
