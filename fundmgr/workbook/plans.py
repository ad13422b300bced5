"""The plan template (用款计划, DOMAIN.md section 8): one department-year's 用款计划 sheet to download,
fill in and import back, on its own, without the rest of the year's workbook.

The template lists every item of the year, twelve rows each, with its name and full-year budget
for orientation and its current plan as the amounts; a month without a plan is blank. Importing
it back sets the plan of every item the sheet names (projects.services.plan_set), all or
nothing: an item whose twelve amounts are blank goes back to the linear 序时进度. The rules are
the year workbook's own (fundmgr.workbook.rules.plan_rows_check).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fundmgr.workbook import schema as S
from fundmgr.workbook.reader import FileRefused, WorkbookError, open_workbook
from fundmgr.workbook.rules import plan_rows_check
from fundmgr.workbook.writer import workbook_bytes
from projects.models import BudgetItem, SpendingPlan
from projects.selectors import figures_of, items_with_figures
from projects.services import plan_set
from units.models import DepartmentYear


def plan_template_rows(department_year: DepartmentYear) -> list[dict]:
    """The 用款计划 rows of every item, month by month, with its current plan: two queries."""
    items = items_with_figures(BudgetItem.objects.filter(department_year=department_year).order_by("position", "code"))
    plans: dict[int, dict[int, object]] = {}
    for item_id, month, amount in SpendingPlan.objects.filter(item__department_year=department_year).values_list(
        "item_id", "month", "amount"
    ):
        plans.setdefault(item_id, {})[month] = amount
    return [
        {
            "project": item.code,
            "month": month,
            "amount": plans.get(item.id, {}).get(month),
            "name": item.name,
            "budget": figures_of(item).full_year,
        }
        for item in items
        for month in range(1, 13)
    ]


def plan_template_bytes(department_year: DepartmentYear) -> bytes:
    """The plan template as .xlsx bytes: the 用款计划 sheet and its 说明."""
    return workbook_bytes({S.PLANS.key: plan_template_rows(department_year)}, sheets=(S.PLANS,), economic_classes=())


@dataclass
class PlanImportResult:
    errors: list[WorkbookError] = field(default_factory=list)
    items: int = 0  # items whose plan was set

    @property
    def ok(self) -> bool:
        return not self.errors


def plan_import(*, department_year: DepartmentYear, source, user) -> PlanImportResult:
    """Set the year's 用款计划 from a plan template (or any workbook with a 用款计划 sheet), all or
    nothing: every error is reported, each on its row, and a refused file changes nothing.

    The items are the year's own; each plan must stay within the item's full-year budget at year
    end, as the ledger stands (DOMAIN.md section 8). Each item the sheet names gets the plan its
    rows give, through projects.services.plan_set (under the item's lock, in its history).
    """
    result = PlanImportResult()
    book, errors = open_workbook(source)
    if book is None:
        result.errors = errors
        return result
    with book:
        try:
            rows = list(book.rows(S.PLANS))
        except FileRefused as refusal:
            result.errors = [refusal.error]
            return result
        collector = book.collector
        if S.PLANS.key not in book.present:
            collector.add(S.PLANS, None, None, _("缺少工作表“%(sheet)s”") % {"sheet": S.PLANS.name})
    items = {
        item.code: item
        for item in items_with_figures(
            BudgetItem.objects.filter(department_year=department_year).select_related("department_year")
        )
    }
    plans = plan_rows_check(
        rows,
        item_names={code: item.name for code, item in items.items()},
        budgets={code: figures_of(item).full_year for code, item in items.items()},
        collector=collector,
    )
    if collector.errors:
        result.errors = collector.errors
        return result
    try:
        with transaction.atomic():
            for code, months in plans.items():
                plan_set(item=items[code], amounts=months, user=user)
    except ValidationError as error:  # e.g. the year was closed (年终结转) since the file was read
        result.errors = [WorkbookError(S.PLANS.name, None, "", message) for message in error.messages]
        return result
    result.items = len(plans)
    return result
