"""The demo's 目标调整 (issue 16): after the demo import (version 1 of the department's targets,
approved, kind 导入), one approved adjustment that keeps the seed's published scores.

The seed report declares indicators for the department only (DOMAIN.md section 7): no item has
targets of its own, so the adjustment is the department's. It rewrites one target as the 申报表
writes it (5000 → ≥5000个): the same figure, the same 99.59 → 99.6 优.

Not wired into load_demo here; the lead calls demo_declarations after the import.
"""

from django.utils.translation import gettext_noop

from indicators.declarations import (
    declaration_approve,
    declaration_start,
    declaration_submit,
    declaration_update,
    version_in_force,
)
from indicators.models import TargetDeclaration
from units.models import DepartmentYear

ADJUSTED_CODE = "XJWF-ZT01"
ADJUSTED_TARGET = gettext_noop("≥5000个")  # data, stored as written; marked for the catalog guard
REASON = gettext_noop("年中绩效运行监控后，按申报表规范写明指标值的方向和计量单位，目标值不变")


def demo_declarations(*, department_year: DepartmentYear, user=None) -> TargetDeclaration | None:
    """Approve the demo's one adjustment of the department's targets; None when there is nothing
    to adjust (no version in force) or it was done before (idempotent, as load_demo is)."""
    in_force = version_in_force(department_year_id=department_year.pk, item_id=None)
    if in_force is None or in_force.kind == TargetDeclaration.Kind.ADJUSTMENT:
        return None
    if not any(row["code"] == ADJUSTED_CODE for row in in_force.indicators):
        return None
    draft = declaration_start(department_year=department_year, item=None, reason=REASON, user=user)
    rows = [
        {**row, "target": ADJUSTED_TARGET if row["code"] == ADJUSTED_CODE else (row["target_text"] or row["target"] or "")}
        for row in draft.indicators
    ]
    draft = declaration_update(declaration=draft, goal=draft.goal, rows=rows, user=user)
    declaration_submit(declaration=draft, user=user)
    return declaration_approve(declaration=draft, note=gettext_noop("同意"), user=user)
