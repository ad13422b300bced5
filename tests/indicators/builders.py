"""Small builders for the indicator tests: plain objects.create, amounts in yuan."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from indicators.models import Indicator
from projects.models import BudgetItem, BudgetLine, Expenditure
from units.models import BudgetUnit, Department, DepartmentYear, Membership


def department_year(code="T01", year=2024, name="测试部门") -> DepartmentYear:
    department, _ = Department.objects.get_or_create(code=code, defaults={"name": name})
    return DepartmentYear.objects.create(department=department, year=year)


def unit(department_year, code="U1", **kwargs) -> BudgetUnit:
    defaults = {"name": f"单位{code}", "kind": BudgetUnit.Kind.ADMINISTRATIVE}
    defaults.update(kwargs)
    return BudgetUnit.objects.get_or_create(department=department_year.department, code=code, defaults=defaults)[0]


def item(department_year, code, *, unit_obj=None, category=BudgetItem.Category.PROJECT, position=0) -> BudgetItem:
    unit_obj = unit_obj or unit(department_year)
    return BudgetItem.objects.create(
        department_year=department_year, unit=unit_obj, code=code, name=f"项目{code}", category=category, position=position
    )


def line(item_obj, amount, *, kind=BudgetLine.Kind.INITIAL, source=BudgetLine.Source.LOCAL, on=None) -> BudgetLine:
    return BudgetLine.objects.create(
        item=item_obj,
        amount=Decimal(amount),
        kind=kind,
        source=source,
        date=on or date(item_obj.department_year.year, 1, 1),
    )


def spend(item_obj, amount, *, on=None, economic_class="30201", status=Expenditure.Status.APPROVED) -> Expenditure:
    return Expenditure.objects.create(
        item=item_obj,
        amount=Decimal(amount),
        date=on or date(item_obj.department_year.year, 12, 1),
        economic_class_id=economic_class,
        status=status,
    )


def indicator(department_year, code, *, item_obj=None, position=0, **fields) -> Indicator:
    values = {
        "level1": Indicator.Level1.OUTPUT,
        "level2": "数量指标",
        "name": f"指标{code}",
        "direction": Indicator.Direction.AT_LEAST,
        "unit": "个",
    }
    values.update(fields)
    for key in ("target", "actual", "midyear", "points", "rate"):
        if isinstance(values.get(key), str):
            values[key] = Decimal(values[key])
    return Indicator.objects.create(department_year=department_year, item=item_obj, code=code, position=position, **values)


def user_with_role(department_year, username, role=None, unit_obj=None):
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-only")
    if role:
        Membership.objects.create(user=user, department=department_year.department, role=role, unit=unit_obj)
    return user


def six_met_indicators(department_year):
    """The seed's six department-level indicators (DOMAIN.md section 7), all met."""
    rows = [
        ("1", "output", "数量指标", "受益家庭数量", "5000", "户", "800", "5000"),
        ("2", "output", "数量指标", "培训人数", "10000", "人", "10000", "10000"),
        ("3", "output", "质量指标", "案件受理率", "90", "%", "95", "95"),
        ("4", "benefit", "社会效益指标", "工作室数量", "50", "个", "50", "50"),
        ("5", "benefit", "社会效益指标", "法律知识知晓率", "90", "%", "90", "90"),
        ("6", "satisfaction", "服务对象满意度指标", "满意度", "95", "%", "95", "95"),
    ]
    return [
        indicator(
            department_year,
            f"D{code}",
            position=int(code),
            level1=level1,
            level2=level2,
            name=name,
            target=target,
            unit=unit_name,
            midyear=midyear,
            actual=actual,
        )
        for code, level1, level2, name, target, unit_name, midyear, actual in rows
    ]
