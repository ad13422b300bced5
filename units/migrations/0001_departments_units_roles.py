"""Departments, their years and budget units, and the roles people hold in them (memberships and
the role groups whose permissions the admin uses; 财政厅, the finance bureau, sees the province view)."""

import django.core.validators
import django.db.models.deletion
import fundmgr.lib.validators
from django.conf import settings
from django.db import migrations, models


ROLE_GROUPS = ["财务处", "单位会计", "领导"]
FINANCE_BUREAU_GROUP = "财政厅"


def groups_create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in [*ROLE_GROUPS, FINANCE_BUREAU_GROUP]:
        Group.objects.get_or_create(name=name)


def groups_remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[*ROLE_GROUPS, FINANCE_BUREAU_GROUP]).delete()


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Department',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=32, unique=True, validators=[fundmgr.lib.validators.validate_code], verbose_name='部门编码')),
                ('name', models.CharField(max_length=200, verbose_name='部门名称')),
            ],
            options={
                'verbose_name': '部门',
                'verbose_name_plural': '部门',
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='BudgetUnit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=32, validators=[fundmgr.lib.validators.validate_code], verbose_name='单位编码')),
                ('name', models.CharField(max_length=200, verbose_name='单位名称')),
                ('kind', models.CharField(choices=[('administrative', '行政单位'), ('institution', '事业单位'), ('civil_service_institution', '参公管理事业单位')], max_length=32, verbose_name='单位性质')),
                ('authorized_staff', models.PositiveIntegerField(blank=True, null=True, verbose_name='编制数')),
                ('actual_staff', models.PositiveIntegerField(blank=True, null=True, verbose_name='实有人数')),
                ('retired_staff', models.PositiveIntegerField(blank=True, null=True, verbose_name='退休人数')),
                ('lixiu_staff', models.PositiveIntegerField(blank=True, null=True, verbose_name='离休人数')),
                ('position', models.PositiveIntegerField(default=0, verbose_name='排序')),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='units', to='units.department', verbose_name='部门')),
            ],
            options={
                'verbose_name': '预算单位',
                'verbose_name_plural': '预算单位',
                'ordering': ['department', 'position', 'code'],
            },
        ),
        migrations.CreateModel(
            name='DepartmentYear',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(2000), django.core.validators.MaxValueValidator(2100)], verbose_name='年度')),
                ('duties', models.TextField(blank=True, verbose_name='主要职能职责')),
                ('key_work', models.TextField(blank=True, verbose_name='年度重点工作')),
                ('problems', models.TextField(blank=True, verbose_name='存在的主要问题及原因分析')),
                ('measures', models.TextField(blank=True, verbose_name='改进措施和建议')),
                ('imported_at', models.DateTimeField(blank=True, null=True, verbose_name='导入时间')),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='years', to='units.department', verbose_name='部门')),
                ('imported_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='导入人')),
            ],
            options={
                'verbose_name': '部门年度',
                'verbose_name_plural': '部门年度',
                'ordering': ['department', '-year'],
            },
        ),
        migrations.CreateModel(
            name='Membership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('finance', '财务处'), ('accountant', '单位会计'), ('leader', '领导')], max_length=16, verbose_name='角色')),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='units.department', verbose_name='部门')),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='units.budgetunit', verbose_name='预算单位')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL, verbose_name='用户')),
            ],
            options={
                'verbose_name': '角色分配',
                'verbose_name_plural': '角色分配',
            },
        ),
        migrations.AddConstraint(
            model_name='budgetunit',
            constraint=models.UniqueConstraint(fields=('department', 'code'), name='unit_code_unique_in_department'),
        ),
        migrations.AddConstraint(
            model_name='departmentyear',
            constraint=models.UniqueConstraint(fields=('department', 'year'), name='department_year_unique'),
        ),
        migrations.AddConstraint(
            model_name='departmentyear',
            constraint=models.CheckConstraint(condition=models.Q(('year__gte', 2000), ('year__lte', 2100)), name='department_year_in_range'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.UniqueConstraint(fields=('user', 'department'), name='membership_one_role_per_department'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('role', 'accountant'), ('unit__isnull', False)), models.Q(models.Q(('role', 'accountant'), _negated=True), ('unit__isnull', True)), _connector='OR'), name='membership_unit_iff_accountant'),
        ),
        migrations.RunPython(groups_create, groups_remove),
    ]
