from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import BudgetItem


class MonthlySpending(models.Model):
    """Monthly rollup of expenditures per (item, month, 3-digit economic class, status) (issue 5).

    A derived cache for the dashboards and the province view, never written by Python: database
    triggers on projects_expenditure (migration 0002_issue5_monthly_spending) update it in the
    same transaction as every insert, update and delete, whoever writes — the ledger services,
    the workbook importer, the admin, bulk inserts. `manage.py verify_rollups` compares it with
    the raw sums and can rebuild it.
    """

    # No database foreign key: rows follow their expenditures through the triggers, and must
    # not stand in the way when an item and its expenditures are deleted together.
    item = models.ForeignKey(BudgetItem, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    period = models.DateField(_("月份"), help_text="first day of the month")
    class_code = models.CharField(_("经济分类"), max_length=3)
    status = models.CharField(_("状态"), max_length=16)
    amount = models.DecimalField(_("金额（元）"), max_digits=18, decimal_places=2)
    entries = models.IntegerField(_("笔数"))

    class Meta:
        verbose_name = _("月度支出汇总")
        verbose_name_plural = _("月度支出汇总")
        constraints = [
            models.UniqueConstraint(fields=["item", "period", "class_code", "status"], name="monthly_spending_key"),
        ]
