"""Who may see and do what: the one place every page asks.

The rule, decided once for every page:
- 404 when the address names something the user has no membership for: another department (or
  any department, for a user with no role in it), or, for a unit accountant, another unit of
  their department or anything of it (its items, expenditures, budget lines, indicators). Its
  existence does not leak.
- 403 when the user belongs where the address points but their role lacks the right: a leader
  entering spending, an accountant approving, closing a month or reading department-wide figures
  (the department is theirs, the action is not).
- Anonymous users are sent to the login page first (the views' login mixins).

The object is looked up before the right is checked, so an accountant of unit B asking to approve
unit A's expenditure gets 404, like any other address of unit A.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from indicators.models import Indicator
from projects.models import BudgetItem, BudgetLine, Expenditure
from units.models import BudgetUnit, DepartmentYear, Membership

# What a page needs of the user's role (require()).
READ = "read"
SPEND = "spend"  # enter, edit and delete expenditures: the finance office and unit accountants
FINANCE = "finance"  # budget lines, approvals, month closing, indicator results, the report's narrative
DEPARTMENT_WIDE = "department_wide"  # figures of every unit at once: everyone but unit accountants


@dataclass(frozen=True)
class Scope:
    """What a user may do in one department: role, and the one unit an accountant is tied to."""

    department_year: DepartmentYear
    role: str  # a Membership.Role value, or "superuser"
    unit_id: int | None = None

    @property
    def is_finance(self) -> bool:
        return self.role in (Membership.Role.FINANCE, "superuser")

    @property
    def is_accountant(self) -> bool:
        return self.role == Membership.Role.ACCOUNTANT

    @property
    def can_write_spending(self) -> bool:
        return self.is_finance or self.is_accountant

    def sees_unit(self, unit_id: int | None) -> bool:
        """A unit accountant sees their unit only; department-level records (no unit) are not theirs."""
        return self.unit_id is None or self.unit_id == unit_id


def require(scope: Scope, need: str) -> None:
    """403 when the role lacks `need` (READ, SPEND, FINANCE or DEPARTMENT_WIDE) in its own department."""
    allowed = {
        READ: True,
        SPEND: scope.can_write_spending,
        FINANCE: scope.is_finance,
        DEPARTMENT_WIDE: scope.unit_id is None,
    }[need]
    if not allowed:
        raise PermissionDenied


def department_scope(user, *, department_code: str, year: int) -> Scope:
    """The user's scope in a department-year, or 404 when they have none there."""
    if not user.is_authenticated:
        raise Http404
    department_year = (
        DepartmentYear.objects.select_related("department").filter(department__code=department_code, year=year).first()
    )
    if department_year is None:
        raise Http404
    if user.is_superuser:
        return Scope(department_year=department_year, role="superuser")
    membership = Membership.objects.filter(user=user, department_id=department_year.department_id).first()
    if membership is None:
        raise Http404
    return Scope(department_year=department_year, role=membership.role, unit_id=membership.unit_id)


def department_wide_scope(user, *, department_code: str, year: int) -> Scope:
    """The scope of a page showing every unit's figures: 404 for outsiders, 403 for a unit accountant."""
    scope = department_scope(user, department_code=department_code, year=year)
    require(scope, DEPARTMENT_WIDE)
    return scope


def unit_in_scope(scope: Scope, unit_code: str) -> BudgetUnit:
    unit = BudgetUnit.objects.filter(department_id=scope.department_year.department_id, code=unit_code).first()
    if unit is None or not scope.sees_unit(unit.id):
        raise Http404
    return unit


def item_in_scope(scope: Scope, item_code: str) -> BudgetItem:
    item = (
        BudgetItem.objects.select_related("unit")
        .filter(department_year=scope.department_year, code=item_code)
        .first()
    )
    if item is None or not scope.sees_unit(item.unit_id):
        raise Http404
    return item


def items_in_scope(scope: Scope):
    items = BudgetItem.objects.filter(department_year=scope.department_year).select_related("unit")
    if scope.unit_id is not None:
        items = items.filter(unit_id=scope.unit_id)
    return items.order_by("unit__position", "position", "code")


def expenditures_in_scope(scope: Scope):
    expenditures = Expenditure.objects.filter(item__department_year=scope.department_year)
    if scope.unit_id is not None:
        expenditures = expenditures.filter(item__unit_id=scope.unit_id)
    return expenditures.select_related("item", "economic_class", "entered_by")


def expenditure_in_scope(scope: Scope, pk: int) -> Expenditure:
    expenditure = expenditures_in_scope(scope).filter(pk=pk).first()
    if expenditure is None:
        raise Http404
    return expenditure


def lines_in_scope(scope: Scope):
    lines = BudgetLine.objects.filter(item__department_year=scope.department_year)
    if scope.unit_id is not None:
        lines = lines.filter(item__unit_id=scope.unit_id)
    return lines.select_related("item")


def indicator_in_scope(scope: Scope, indicator_code: str) -> Indicator:
    """An indicator of the department-year. An item's indicator is its unit's (404 for another
    unit's accountant); a department-level one is the department's, and a page showing it asks
    for DEPARTMENT_WIDE or FINANCE (403 for a unit accountant)."""
    indicator = (
        Indicator.objects.select_related("item")
        .filter(department_year=scope.department_year, code=indicator_code)
        .first()
    )
    if indicator is None or (indicator.item_id is not None and not scope.sees_unit(indicator.item.unit_id)):
        raise Http404
    return indicator


def home_department_year(user) -> DepartmentYear | None:
    """The latest department-year the user may see, for the landing redirect."""
    years = DepartmentYear.objects.select_related("department").order_by("-year", "department__code")
    if not user.is_superuser:
        years = years.filter(department__memberships__user=user)
    return years.first()


# --- the province view ---

FINANCE_BUREAU_GROUP = "财政厅"


def province_department_ids(user) -> list[int] | None:
    """Departments whose figures the user may compare side by side in the province view.

    None means every department: a superuser, or a member of the finance bureau group (财政厅).
    Otherwise the departments where the user is finance office or leader, when there are at
    least two; a user with fewer gets 404, like any outsider.
    """
    if not user.is_authenticated:
        raise Http404
    if user.is_superuser or user.groups.filter(name=FINANCE_BUREAU_GROUP).exists():
        return None
    department_ids = list(
        Membership.objects.filter(user=user, role__in=[Membership.Role.FINANCE, Membership.Role.LEADER])
        .order_by("department_id")
        .values_list("department_id", flat=True)
    )
    if len(department_ids) < 2:
        raise Http404
    return department_ids
