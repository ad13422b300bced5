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

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import Http404

from units.models import BudgetUnit, DepartmentYear, LedgerVersion, Membership

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

    @property
    def sees_department_wide(self) -> bool:
        """The DEPARTMENT_WIDE right (allows): the condition of every link to such a page."""
        return allows(self, DEPARTMENT_WIDE)

    @property
    def viewer(self) -> str:
        """What a cached page may differ by between viewers of this department-year: the role
        (its links and buttons) and, for an accountant, the one unit they see."""
        return self.role if self.unit_id is None else f"{self.role}-{self.unit_id}"

    def sees_unit(self, unit_id: int | None) -> bool:
        """A unit accountant sees their unit only; department-level records (no unit) are not theirs."""
        return self.unit_id is None or self.unit_id == unit_id


def allows(scope: Scope, need: str) -> bool:
    """Whether the role has `need` (READ, SPEND, FINANCE or DEPARTMENT_WIDE) in its own department."""
    return {
        READ: True,
        SPEND: scope.can_write_spending,
        FINANCE: scope.is_finance,
        DEPARTMENT_WIDE: scope.unit_id is None,
    }[need]


def require(scope: Scope, need: str) -> None:
    """403 when the role lacks `need` in its own department."""
    if not allows(scope, need):
        raise PermissionDenied


def ledger_version_of(department_year_id) -> Coalesce:
    """The department-year's ledger version, "<writes>-<latest write's microsecond>" over its rows
    of units.models.LedgerVersion ("0" before any write), as an expression to annotate onto the
    query that fetches the department-year: it changes with every committed write, and never
    comes back."""
    text = CharField()
    versions = (
        LedgerVersion.objects.filter(department_year_id=department_year_id)
        .order_by()
        .values("department_year_id")
        .annotate(
            version=Concat(Cast(Sum("changes"), text), Value("-"), Cast(Max("changed_at"), text), output_field=text)
        )
        .values("version")
    )
    return Coalesce(Subquery(versions), Value("0"), output_field=text)


def department_scope(user, *, department_code: str, year: int) -> Scope:
    """The user's scope in a department-year, or 404 when they have none there."""
    if not user.is_authenticated:
        raise Http404
    department_year = (
        DepartmentYear.objects.select_related("department")
        .annotate(ledger_version=ledger_version_of(OuterRef("pk")))
        .filter(department__code=department_code, year=year)
        .first()
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
    units = BudgetUnit.objects.filter(department_id=scope.department_year.department_id, code=unit_code)
    return one_visible(scope, units, unit="id")


def visible(scope: Scope, rows: QuerySet, *, unit: str, department_level: str | None = None) -> QuerySet:
    """The rows of `rows` (already limited to the scope's department-year) the user may see.

    `unit` is the lookup from a row to its unit's id ("unit_id", "item__unit_id"). A unit
    accountant sees their unit's rows only. `department_level` names the lookup that is null on a
    row belonging to no unit (an indicator without an item, "item"): such rows stay visible to
    the accountant, and the pages showing them ask for DEPARTMENT_WIDE or FINANCE (403).
    """
    if scope.unit_id is None:
        return rows
    mine = Q(**{unit: scope.unit_id})
    if department_level is not None:
        mine |= Q(**{f"{department_level}__isnull": True})
    return rows.filter(mine)


def one_visible(scope: Scope, rows: QuerySet, *, unit: str, department_level: str | None = None):
    """The one row of `rows` the user may see, or 404: another unit's record does not exist for them."""
    found = visible(scope, rows, unit=unit, department_level=department_level).first()
    if found is None:
        raise Http404
    return found


def record_in_scope(scope: Scope, *, department_year_id: int, unit_id: int | None) -> None:
    """A record known only by its ids (a history row, whose live record may be gone): 404 outside
    the scope's year or the accountant's unit; a department-level record (no unit) asks for
    DEPARTMENT_WIDE (403 for a unit accountant)."""
    if department_year_id != scope.department_year.pk or (unit_id is not None and not scope.sees_unit(unit_id)):
        raise Http404
    if unit_id is None:
        require(scope, DEPARTMENT_WIDE)


def home_unit(user, department_year: DepartmentYear) -> BudgetUnit | None:
    """The unit whose dashboard is an accountant's home page; None for every other role."""
    if user.is_superuser:
        return None
    membership = Membership.objects.filter(user=user, department_id=department_year.department_id).select_related("unit").first()
    if membership is None or membership.role != Membership.Role.ACCOUNTANT:
        return None
    return membership.unit


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


def may_compare_departments(user) -> bool:
    """Whether the province view answers `user` with a page (province_department_ids, not 404):
    the condition of every link to it."""
    try:
        province_department_ids(user)
    except Http404:
        return False
    return True


def openable_department_ids(user) -> set[int] | None:
    """Departments whose pages department_scope opens for `user` (not 404); None means every one,
    for a superuser. The finance bureau compares departments without a role in them."""
    if user.is_superuser:
        return None
    return set(Membership.objects.filter(user=user).values_list("department_id", flat=True))


# --- views and the admin ---


class ScopedViewMixin(AccessMixin):
    """Sets self.scope from the URL's department code and year, checking `need` against the role.

    A view whose URL names one record (an expenditure's pk) overrides look_up(): the record is
    fetched through units.access first (404 outside the user's unit), and only then is the role
    checked (403), so that the answer does not tell another unit's accountant that it exists.
    """

    need = READ

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        self.look_up(**kwargs)
        require(self.scope, self.need)
        return super().dispatch(request, *args, **kwargs)

    def look_up(self, **kwargs) -> None:
        """Fetch the record the URL names through units.access (404 when out of scope)."""

    @property
    def department_year(self):
        return self.scope.department_year

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(scope=self.scope, department_year=self.scope.department_year)
        return context


def finance_department_ids(user) -> list[int] | None:
    """Departments whose finance office the user belongs to; None means all (a superuser)."""
    if user.is_superuser:
        return None
    if not user.is_authenticated:  # the admin login page builds its app list for anonymous users
        return []
    return list(
        Membership.objects.filter(user=user, role=Membership.Role.FINANCE).values_list("department_id", flat=True)
    )


def is_finance_officer(user) -> bool:
    """True for superusers and members of some department's finance office: the admin's audience."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role=Membership.Role.FINANCE).exists()


def may_write_shared_data(user) -> bool:
    """Data every department shares or that outlives a department's roles (departments, years,
    economic classes, units' deletion, users, groups) is written by superusers only."""
    return user.is_superuser


def may_import_into(user, department_code: str | None) -> bool:
    """The finance office of the workbook's department may import it; a new department needs a superuser."""
    if user.is_superuser:
        return True
    if not department_code:
        return False
    return Membership.objects.filter(user=user, role=Membership.Role.FINANCE, department__code=department_code).exists()


def finance_admin_has_permission(request) -> bool:
    """Hook for AdminSite.has_permission: staff flag AND finance office (or superuser)."""
    return request.user.is_active and request.user.is_staff and is_finance_officer(request.user)
