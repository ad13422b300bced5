"""The monthly spending rollup (issue 5): its table, the triggers that maintain it, and its first fill."""

from django.db import migrations, models

from fundmgr import rollups


def install(apps, schema_editor):
    rollups.install(schema_editor)
    schema_editor.execute(
        f"INSERT INTO {rollups.TABLE} ({rollups.KEY}, amount, entries) {rollups.raw_sums_sql(schema_editor.connection.vendor)}"
    )


def uninstall(apps, schema_editor):
    rollups.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("fundmgr", "0001_issue5_finance_bureau_group"), ("projects", "0002_economic_classes")]

    operations = [
        migrations.CreateModel(
            name="MonthlySpending",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("period", models.DateField(help_text="first day of the month", verbose_name="月份")),
                ("class_code", models.CharField(max_length=3, verbose_name="经济分类")),
                ("status", models.CharField(max_length=16, verbose_name="状态")),
                ("amount", models.DecimalField(decimal_places=2, max_digits=18, verbose_name="金额（元）")),
                ("entries", models.IntegerField(verbose_name="笔数")),
                (
                    "item",
                    models.ForeignKey(
                        db_constraint=False, on_delete=models.deletion.DO_NOTHING, related_name="+", to="projects.budgetitem"
                    ),
                ),
            ],
            options={"verbose_name": "月度支出汇总", "verbose_name_plural": "月度支出汇总"},
        ),
        migrations.AddConstraint(
            model_name="monthlyspending",
            constraint=models.UniqueConstraint(fields=("item", "period", "class_code", "status"), name="monthly_spending_key"),
        ),
        migrations.RunPython(install, uninstall),
    ]
