"""The three role groups (issue 2). Membership rows tie a user to a department (and an
accountant to a unit); the groups carry Django model permissions, which the admin uses."""

from django.db import migrations

GROUPS = ["财务处", "单位会计", "领导"]


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create, remove)]
