"""A department-year read back into workbook rows (DOMAIN.md section 4), for workbook_write.

Re-importing the result with replace gives the same ledger: the export of issue 6 and the
round-trip test both rely on it. Six queries, whatever the size of the year.
"""

from fundmgr.workbook import schema
from indicators.models import Indicator
from projects.models import BudgetItem, BudgetLine, Expenditure
from units.models import BudgetUnit, DepartmentYear


def workbook_rows(*, department_year: DepartmentYear) -> dict[str, list[dict]]:
    """Row dicts per sheet key, holding model values, in the order the ledger shows them.

    Only approved and pending spending is written: a rejected expenditure was never booked.
    """
    department = department_year.department
    items = BudgetItem.objects.filter(department_year=department_year).select_related("unit").order_by("position", "code")
    unit_columns = [column.key for column in schema.UNITS.columns]
    return {
        schema.DEPARTMENT.key: [{"code": department.code, "name": department.name, "year": department_year.year}],
        schema.UNITS.key: list(
            BudgetUnit.objects.filter(department=department).order_by("position", "code").values(*unit_columns)
        ),
        schema.ITEMS.key: [
            {
                "code": item.code,
                "name": item.name,
                "unit": item.unit.code,
                "category": item.category,
                "procurement_required": item.procurement_required,
            }
            for item in items
        ],
        schema.LINES.key: [
            {
                "project": line.item.code,
                "source": line.source,
                "kind": line.kind,
                "amount": line.amount,
                "date": line.date,
                "document": line.document,
            }
            for line in BudgetLine.objects.filter(item__department_year=department_year)
            .select_related("item")
            .order_by("item__position", "item__code", "date", "id")
        ],
        schema.EXPENDITURES.key: [
            {
                "project": expenditure.item.code,
                "date": expenditure.date,
                "amount": expenditure.amount,
                "economic_class": expenditure.economic_class_id,
                "memo": expenditure.memo,
                "voucher": expenditure.voucher,
            }
            for expenditure in Expenditure.objects.filter(item__department_year=department_year)
            .exclude(status=Expenditure.Status.REJECTED)
            .select_related("item")
            .order_by("item__position", "item__code", "date", "id")
        ],
        schema.INDICATORS.key: [
            {
                "code": indicator.code,
                "level1": indicator.level1,
                "level2": indicator.level2,
                "name": indicator.name,
                "direction": indicator.direction,
                "target": indicator.target,
                "unit": indicator.unit,
                "points": indicator.points,
                "midyear": indicator.midyear,
                "actual": indicator.actual,
                "tier": indicator.tier,
                "rate": indicator.rate,
                "project": indicator.item.code if indicator.item else "",
            }
            for indicator in Indicator.objects.filter(department_year=department_year)
            .select_related("item")
            .order_by("position", "id")
        ],
    }
