"""The invariants of indicators/models.py hold in the database, whoever writes: a write that goes
around the services (objects.create, update(), bulk_create) is refused with an IntegrityError,
and full_clean() reports the same rule before any write, next to the field where Django knows one."""

from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from indicators.models import Indicator
from tests.builders import BudgetItemFactory, DepartmentYearFactory, IndicatorFactory

pytestmark = pytest.mark.django_db


def refused_by_the_database(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def clean_errors(row) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    return refused.value.message_dict


def indicator_fields(department_year, **extra) -> dict:
    return {
        "department_year": department_year,
        "code": "I1",
        "level1": "output",
        "level2": "数量",
        "name": "培训人数",
        "direction": "ge",
        "target": Decimal("10"),
        **extra,
    }


def test_two_indicators_of_one_year_cannot_share_a_code():
    indicator = IndicatorFactory(code="I1")
    twin = indicator_fields(indicator.department_year, item=BudgetItemFactory(department_year=indicator.department_year))
    refused_by_the_database(lambda: Indicator.objects.create(**twin))
    refused_by_the_database(lambda: Indicator.objects.bulk_create([Indicator(**twin)]))
    errors = clean_errors(Indicator(**twin))
    assert "指标编码" in errors[NON_FIELD_ERRORS][0]


def test_the_same_indicator_code_is_free_in_another_year():
    indicator = IndicatorFactory(code="I1")
    next_year = DepartmentYearFactory(department=indicator.department_year.department, year=2025)
    Indicator.objects.create(**indicator_fields(next_year))
    assert Indicator.objects.filter(code="I1").count() == 2


@pytest.mark.parametrize("points", [Decimal("0"), Decimal("-5")])
def test_points_are_above_zero_when_given(points):
    department_year = DepartmentYearFactory()
    refused_by_the_database(lambda: Indicator.objects.create(**indicator_fields(department_year, points=points)))
    kept = IndicatorFactory(department_year=department_year, points=Decimal("20"))
    refused_by_the_database(lambda: Indicator.objects.filter(pk=kept.pk).update(points=points))
    kept.refresh_from_db()
    assert kept.points == Decimal("20")
    errors = clean_errors(Indicator(**indicator_fields(department_year, points=points)))
    assert "indicator_points_positive" in " ".join(errors[NON_FIELD_ERRORS])


def test_an_indicator_without_points_is_allowed():
    department_year = DepartmentYearFactory()
    Indicator(**indicator_fields(department_year, points=None)).full_clean()
    assert Indicator.objects.create(**indicator_fields(department_year, points=None)).points is None


@pytest.mark.parametrize("rate", [Decimal("-0.01"), Decimal("100.01")])
def test_a_rate_is_a_percentage_between_0_and_100(rate):
    department_year = DepartmentYearFactory()
    qualitative = {"direction": "qualitative", "target": None, "tier": "partly"}
    refused_by_the_database(lambda: Indicator.objects.create(**indicator_fields(department_year, rate=rate, **qualitative)))
    kept = IndicatorFactory(department_year=department_year, rate=Decimal("100"), **qualitative)
    refused_by_the_database(lambda: Indicator.objects.filter(pk=kept.pk).update(rate=rate))
    kept.refresh_from_db()
    assert kept.rate == Decimal("100.00")
    errors = clean_errors(Indicator(**indicator_fields(department_year, code="I2", rate=rate, **qualitative)))
    assert "indicator_rate_percent" in " ".join(errors[NON_FIELD_ERRORS])


def test_an_indicator_belongs_to_a_department_year():
    indicator = IndicatorFactory()
    refused_by_the_database(lambda: Indicator.objects.filter(pk=indicator.pk).update(department_year=None))
    errors = clean_errors(Indicator(**indicator_fields(None)))
    assert "department_year" in errors
