"""Performance indicators of a department-year and of its items, with their history."""

import django.db.models.deletion
import fundmgr.lib.validators
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('projects', '0001_ledger'),
        ('units', '0001_departments_units_roles'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalIndicator',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.CharField(max_length=64, validators=[fundmgr.lib.validators.validate_code], verbose_name='指标编码')),
                ('level1', models.CharField(choices=[('output', '产出指标'), ('benefit', '效益指标'), ('satisfaction', '满意度指标')], max_length=16, verbose_name='一级指标')),
                ('level2', models.CharField(max_length=32, verbose_name='二级指标')),
                ('name', models.CharField(max_length=300, verbose_name='指标名称')),
                ('direction', models.CharField(choices=[('ge', '≥'), ('le', '≤'), ('eq', '='), ('qualitative', '定性')], max_length=16, verbose_name='指标方向')),
                ('target', models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True, verbose_name='目标值')),
                ('unit', models.CharField(blank=True, max_length=32, verbose_name='计量单位')),
                ('points', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, verbose_name='分值')),
                ('midyear', models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True, verbose_name='半年完成值')),
                ('actual', models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True, verbose_name='全年完成值')),
                ('tier', models.CharField(blank=True, choices=[('achieved', '达成'), ('partly', '部分达成'), ('not_achieved', '未达成')], max_length=16, verbose_name='定性等级')),
                ('rate', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, verbose_name='得分率（%）')),
                ('deviation_reason', models.TextField(blank=True, verbose_name='偏差原因分析')),
                ('corrective_measures', models.TextField(blank=True, verbose_name='改进措施')),
                ('results_final', models.BooleanField(default=False, verbose_name='自评结果已定稿')),
                ('position', models.PositiveIntegerField(default=0, verbose_name='排序')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('department_year', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.departmentyear', verbose_name='部门年度')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('item', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='projects.budgetitem', verbose_name='预算项目')),
            ],
            options={
                'verbose_name': 'historical 绩效指标',
                'verbose_name_plural': 'historical 绩效指标',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Indicator',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=64, validators=[fundmgr.lib.validators.validate_code], verbose_name='指标编码')),
                ('level1', models.CharField(choices=[('output', '产出指标'), ('benefit', '效益指标'), ('satisfaction', '满意度指标')], max_length=16, verbose_name='一级指标')),
                ('level2', models.CharField(max_length=32, verbose_name='二级指标')),
                ('name', models.CharField(max_length=300, verbose_name='指标名称')),
                ('direction', models.CharField(choices=[('ge', '≥'), ('le', '≤'), ('eq', '='), ('qualitative', '定性')], max_length=16, verbose_name='指标方向')),
                ('target', models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True, verbose_name='目标值')),
                ('unit', models.CharField(blank=True, max_length=32, verbose_name='计量单位')),
                ('points', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, verbose_name='分值')),
                ('midyear', models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True, verbose_name='半年完成值')),
                ('actual', models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True, verbose_name='全年完成值')),
                ('tier', models.CharField(blank=True, choices=[('achieved', '达成'), ('partly', '部分达成'), ('not_achieved', '未达成')], max_length=16, verbose_name='定性等级')),
                ('rate', models.DecimalField(blank=True, decimal_places=2, max_digits=6, null=True, verbose_name='得分率（%）')),
                ('deviation_reason', models.TextField(blank=True, verbose_name='偏差原因分析')),
                ('corrective_measures', models.TextField(blank=True, verbose_name='改进措施')),
                ('results_final', models.BooleanField(default=False, verbose_name='自评结果已定稿')),
                ('position', models.PositiveIntegerField(default=0, verbose_name='排序')),
                ('department_year', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='indicators', to='units.departmentyear', verbose_name='部门年度')),
                ('item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='indicators', to='projects.budgetitem', verbose_name='预算项目')),
            ],
            options={
                'verbose_name': '绩效指标',
                'verbose_name_plural': '绩效指标',
                'ordering': ['department_year', 'position', 'code'],
                'constraints': [models.UniqueConstraint(fields=('department_year', 'code'), name='indicator_code_unique_in_year'), models.CheckConstraint(condition=models.Q(('points__isnull', True), ('points__gt', 0), _connector='OR'), name='indicator_points_positive'), models.CheckConstraint(condition=models.Q(('rate__isnull', True), models.Q(('rate__gte', 0), ('rate__lte', 100)), _connector='OR'), name='indicator_rate_percent')],
            },
        ),
    ]
