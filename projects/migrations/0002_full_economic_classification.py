"""The full 部门预算支出经济分类 of the edition named in projects.economic_classes.EDITION
(DOMAIN.md section 9): the classes 301–399 with every subclass, not only the codes of section 6.

A database created by 0001_ledger before the list was completed holds the section-6 codes; this
inserts the missing codes and corrects names, one row per code, and does nothing on a database that
already holds the full list. Going back leaves the rows: expenditures may use the added codes."""

from django.db import migrations

from projects.economic_classes import economic_classes_sync


def classes_sync(apps, schema_editor):
    economic_classes_sync(apps.get_model("projects", "EconomicClass"))


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0001_ledger"),
    ]

    operations = [
        migrations.RunPython(classes_sync, migrations.RunPython.noop),
    ]
