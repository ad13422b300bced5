"""The demo's targets: version 1 approved from the import, then one approved adjustment (issue 16)."""

from io import BytesIO, StringIO

import pytest
from django.core.management import call_command

from fundmgr.demo.declarations import demo_declarations
from fundmgr.demo.seed import demo_rows
from fundmgr.summary import summary_json
from fundmgr.workbook import workbook_bytes, workbook_import
from indicators.models import Indicator, TargetDeclaration
from units.models import DepartmentYear

pytestmark = pytest.mark.django_db


def test_the_demo_adjustment_keeps_the_published_score(django_user_model):
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    seed = DepartmentYear.objects.get(department__code="XJWF", year=2024)
    assert list(TargetDeclaration.objects.filter(department_year=seed).values_list("item", "version", "kind", "state")) == [
        (None, 1, "import", "approved")
    ]
    finance = django_user_model.objects.create_user("demo-finance")
    adjustment = demo_declarations(department_year=seed, user=finance)
    assert (adjustment.version, adjustment.kind, adjustment.state) == (2, "adjustment", "approved")
    assert adjustment.reason
    assert Indicator.objects.get(code="XJWF-ZT01").target_text == "≥5000个"
    evaluation = summary_json(department_year=seed)["evaluation"]
    assert (evaluation["score"], evaluation["rating"]) == ("99.59", "excellent")
    assert demo_declarations(department_year=seed, user=finance) is None  # idempotent
    states = dict(TargetDeclaration.objects.filter(department_year=seed).values_list("version", "state"))
    assert states == {1: "superseded", 2: "approved"}


def test_replacing_the_demo_year_starts_its_versions_again():
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    seed = DepartmentYear.objects.get(department__code="XJWF", year=2024)
    demo_declarations(department_year=seed)
    result = workbook_import(source=BytesIO(workbook_bytes(demo_rows())), replace=True)
    assert not result.errors
    assert list(TargetDeclaration.objects.filter(department_year=seed).values_list("item", "version", "kind", "state")) == [
        (None, 1, "import", "approved")
    ]
    assert TargetDeclaration.history.filter(department_year_id=seed.pk, history_type="-").count() == 2
