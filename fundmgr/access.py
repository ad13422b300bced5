"""Who may see what (issue 4). Every view fetches through these helpers; an outsider gets 404,
so the existence of another department's or unit's records does not leak."""

from dataclasses import dataclass

from django.http import Http404

from projects.models import BudgetItem
from units.models import BudgetUnit, DepartmentYear, Membership


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

    def sees_unit(self, unit_id: int) -> bool:
        return self.unit_id is None or self.unit_id == unit_id


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


def home_department_year(user) -> DepartmentYear | None:
    """The latest department-year the user may see, for the landing redirect."""
    years = DepartmentYear.objects.select_related("department").order_by("-year", "department__code")
    if not user.is_superuser:
        years = years.filter(department__memberships__user=user)
    return years.first()


# --- issue 5: the province view ---

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
