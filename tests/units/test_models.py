"""The invariants of units/models.py hold in the database, whoever writes: a write that goes around
the services (objects.create, update(), bulk_create) is refused with an IntegrityError, and
full_clean() reports the same rule before any write, next to the field where Django knows one."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from tests.builders import BudgetUnitFactory, DepartmentFactory, DepartmentYearFactory, MembershipFactory, UserFactory
from units.models import BudgetUnit, Department, DepartmentYear, Membership

pytestmark = pytest.mark.django_db


def refused_by_the_database(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def clean_errors(row) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    return refused.value.message_dict


def test_two_departments_cannot_share_a_code():
    DepartmentFactory(code="XJ")
    refused_by_the_database(lambda: Department.objects.create(code="XJ", name="重复部门"))
    refused_by_the_database(lambda: Department.objects.bulk_create([Department(code="XJ", name="重复部门")]))
    errors = clean_errors(Department(code="XJ", name="重复部门"))
    assert list(errors) == ["code"]
    assert "部门编码" in errors["code"][0]


def test_two_units_of_one_department_cannot_share_a_code():
    unit = BudgetUnitFactory(code="U1")
    refused_by_the_database(lambda: BudgetUnit.objects.create(department=unit.department, code="U1", name="重复单位", kind="institution"))
    spare = BudgetUnitFactory(department=unit.department, code="U2")
    refused_by_the_database(lambda: BudgetUnit.objects.filter(pk=spare.pk).update(code="U1"))
    errors = clean_errors(BudgetUnit(department=unit.department, code="U1", name="重复单位", kind="institution"))
    assert "单位编码" in errors[NON_FIELD_ERRORS][0]


def test_another_department_may_use_the_same_unit_code():
    unit = BudgetUnitFactory(code="U1")
    BudgetUnit.objects.create(department=DepartmentFactory(), code="U1", name="同码单位", kind="institution")
    assert BudgetUnit.objects.filter(code=unit.code).count() == 2


def test_a_unit_belongs_to_a_department():
    refused_by_the_database(lambda: BudgetUnit.objects.create(department=None, code="U9", name="无部门单位", kind="institution"))
    assert "department" in clean_errors(BudgetUnit(code="U9", name="无部门单位", kind="institution"))


def test_a_department_has_each_year_once():
    department_year = DepartmentYearFactory(year=2024)
    refused_by_the_database(lambda: DepartmentYear.objects.create(department=department_year.department, year=2024))
    errors = clean_errors(DepartmentYear(department=department_year.department, year=2024))
    assert "年度" in errors[NON_FIELD_ERRORS][0]


@pytest.mark.parametrize("year, bound", [(1999, "2000"), (2101, "2100")])
def test_a_year_outside_2000_to_2100_is_refused(year, bound):
    department = DepartmentFactory()
    refused_by_the_database(lambda: DepartmentYear.objects.create(department=department, year=year))
    kept = DepartmentYearFactory(department=department, year=2024)
    refused_by_the_database(lambda: DepartmentYear.objects.filter(pk=kept.pk).update(year=year))
    # The field's own validators refuse the year first, so Django skips the constraint on it.
    errors = clean_errors(DepartmentYear(department=department, year=year))
    assert list(errors) == ["year"]
    assert bound in errors["year"][0]


def test_a_user_has_one_role_per_department():
    membership = MembershipFactory(role=Membership.Role.LEADER)
    refused_by_the_database(
        lambda: Membership.objects.create(user=membership.user, department=membership.department, role=Membership.Role.FINANCE)
    )
    errors = clean_errors(Membership(user=membership.user, department=membership.department, role=Membership.Role.FINANCE))
    assert "用户" in errors[NON_FIELD_ERRORS][0]


def test_an_accountant_has_a_unit_and_no_other_role_has_one():
    unit = BudgetUnitFactory()
    accountant_without_unit = {"user": UserFactory(), "department": unit.department, "role": Membership.Role.ACCOUNTANT}
    leader_with_unit = {"user": UserFactory(), "department": unit.department, "role": Membership.Role.LEADER, "unit": unit}
    for fields in (accountant_without_unit, leader_with_unit):
        refused_by_the_database(lambda fields=fields: Membership.objects.create(**fields))
        errors = clean_errors(Membership(**fields))
        assert "membership_unit_iff_accountant" in " ".join(errors[NON_FIELD_ERRORS])
    accountant = MembershipFactory(role=Membership.Role.ACCOUNTANT, unit=unit)
    refused_by_the_database(lambda: Membership.objects.filter(pk=accountant.pk).update(unit=None))
    refused_by_the_database(lambda: Membership.objects.filter(pk=accountant.pk).update(role=Membership.Role.FINANCE))
    accountant.refresh_from_db()
    assert (accountant.role, accountant.unit) == (Membership.Role.ACCOUNTANT, unit)
