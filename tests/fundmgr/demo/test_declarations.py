"""The demo's targets: version 1 approved from the import, then one approved adjustment (issue 16)."""

from io import BytesIO, StringIO

import pytest
from django.core.management import call_command

from fundmgr.demo.declarations import demo_declarations
from fundmgr.demo.seed import demo_rows
from fundmgr.summary import summary_json
from fundmgr.workbook import workbook_bytes, workbook_import
from indicators.models import Evidence, Indicator, ItemMonitoring, TargetDeclaration
from units.models import DepartmentYear

pytestmark = pytest.mark.django_db


def test_load_demo_gives_the_seed_its_performance_year_and_keeps_the_published_score():
    """The demo's issue-16 year (DOMAIN.md section 7's figures unchanged): version 1 of the targets
    from the import, one approved adjustment by the finance office, June's monitoring with
    forecasts, and one 佐证材料."""
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    seed = DepartmentYear.objects.get(department__code="XJWF", year=2024)
    versions = TargetDeclaration.objects.filter(department_year=seed).order_by("version")
    assert list(versions.values_list("item", "version", "kind", "state")) == [
        (None, 1, "import", "superseded"),
        (None, 2, "adjustment", "approved"),
    ]
    adjustment = versions.get(version=2)
    assert adjustment.reason and adjustment.decided_by.username == "caiwu"
    assert Indicator.objects.get(code="XJWF-ZT01").target_text == "≥5000个"
    evaluation = summary_json(department_year=seed)["evaluation"]
    assert (evaluation["score"], evaluation["rating"]) == ("99.59", "excellent")
    assert seed.monitoring_month == 6
    forecasts = Indicator.objects.filter(department_year=seed, forecast__isnull=False)
    assert forecasts.count() == 3
    assert ItemMonitoring.objects.filter(department_year=seed).count() == 2
    assert list(Evidence.objects.filter(department_year=seed).values_list("indicator__code", "uploaded_by__username")) == [
        ("XJWF-ZT01", "caiwu")
    ]
    # a second load_demo changes nothing
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    assert TargetDeclaration.objects.filter(department_year=seed).count() == 2
    assert Evidence.objects.filter(department_year=seed).count() == 1
    assert demo_declarations(department_year=seed) is None  # idempotent


def test_replacing_the_demo_year_starts_its_versions_again():
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    seed = DepartmentYear.objects.get(department__code="XJWF", year=2024)
    result = workbook_import(source=BytesIO(workbook_bytes(demo_rows())), replace=True)
    assert not result.errors
    assert not ItemMonitoring.objects.filter(department_year=seed).exists()  # the replaced items' entries went with them
    assert list(TargetDeclaration.objects.filter(department_year=seed).values_list("item", "version", "kind", "state")) == [
        (None, 1, "import", "approved")
    ]
    assert TargetDeclaration.history.filter(department_year_id=seed.pk, history_type="-").count() == 2
