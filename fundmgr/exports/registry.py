"""The downloadable files of a department-year and who may have them.

The exports page and `manage.py export` both go through `generate`, so a scheduled job and a
click produce the same bytes. Permission: finance and leaders get every file; an accountant
gets only the expenditure detail of their own unit (units.access.Scope.unit_id).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fundmgr.exports.execution import write_execution
from fundmgr.exports.expenditures import ExpenditureScope, write_expenditures
from fundmgr.exports.monitoring import write_monitoring
from fundmgr.exports.report import write_report
from fundmgr.exports.selfeval import write_project_evaluation, write_self_evaluation
from fundmgr.exports.workbook import write_workbook
from fundmgr.lib.table_xlsx import XLSX, Stamp
from units.access import DEPARTMENT_WIDE, Scope, allows
from units.models import BudgetUnit, DepartmentYear

UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

SELF_EVALUATION = "self-evaluation"
PROJECT_EVALUATION = "project-evaluation"
EXECUTION = "execution"
EXPENDITURES = "expenditures"
WORKBOOK = "workbook"
REPORT = "report"
MONITORING = "monitoring"


@dataclass(frozen=True)
class ExportKind:
    what: str
    label: str
    description: str
    stem: str  # the file name after the department and year, in the active language
    extension: str
    content_type: str
    writer: Callable
    money_unit: str  # the unit the file's amounts are in, as the exports page lists it


def _department_writer(write):
    def writer(*, department_year, out, stamp, unit=None, date_from=None, date_to=None):
        write(department_year=department_year, out=out, stamp=stamp)

    return writer


def _expenditure_writer(*, department_year, out, stamp, unit=None, date_from=None, date_to=None):
    write_expenditures(
        scope=ExpenditureScope(department_year=department_year, unit=unit, date_from=date_from, date_to=date_to),
        out=out,
        stamp=stamp,
    )


# The self-evaluation forms, the execution table and the report give 万元 as the finance bureau
# reads them; the expenditure detail and the workbook keep the ledger's exact yuan.
WAN = _("万元")
YUAN = _("元")

KINDS: dict[str, ExportKind] = {
    kind.what: kind
    for kind in [
        ExportKind(SELF_EVALUATION, _("部门整体支出绩效自评表"), _("财预〔2020〕10号格式：预算资金、绩效指标、得分和评价等级"),
                   pgettext_lazy("file name", "部门整体支出绩效自评表"), "xlsx", XLSX, _department_writer(write_self_evaluation), WAN),
        ExportKind(PROJECT_EVALUATION, _("项目支出绩效自评表"), _("每个设置了绩效指标的项目一张工作表"),
                   pgettext_lazy("file name", "项目支出绩效自评表"), "xlsx", XLSX, _department_writer(write_project_evaluation), WAN),
        ExportKind(EXECUTION, _("预算执行情况表"), _("按单位和类别、按项目、按资金来源、按经济分类，含小计和合计"),
                   pgettext_lazy("file name", "预算执行情况表"), "xlsx", XLSX, _department_writer(write_execution), WAN),
        ExportKind(EXPENDITURES, _("支出明细表"), _("已生效支出逐笔明细，可按单位和日期筛选"),
                   pgettext_lazy("file name", "支出明细表"), "xlsx", XLSX, _expenditure_writer, YUAN),
        ExportKind(WORKBOOK, _("预算数据工作簿（导入格式）"), _("本年度全部数据，可重新导入，用作备份"),
                   pgettext_lazy("file name", "预算数据"), "xlsx", XLSX, _department_writer(write_workbook), YUAN),
        ExportKind(REPORT, _("部门整体支出绩效自评报告"), _("Word初稿，数字全部取自账套"),
                   pgettext_lazy("file name", "部门整体支出绩效自评报告"), "docx", DOCX, _department_writer(write_report), WAN),
        ExportKind(MONITORING, _("绩效运行监控表"), _("部门整体和每个项目的绩效运行监控表，截至监控月份月末，含全年预计和预警"),
                   pgettext_lazy("file name", "绩效运行监控表"), "xlsx", XLSX, _department_writer(write_monitoring), WAN),
    ]
}


def may_download(scope: Scope, what: str, *, unit: BudgetUnit | None) -> bool:
    """A unit's expenditure detail goes to whoever sees the unit; every other file shows the whole
    department (units.access: DEPARTMENT_WIDE), so a unit accountant has only their own unit's detail."""
    if what not in KINDS:
        return False
    if what == EXPENDITURES and unit is not None:
        return scope.sees_unit(unit.id)
    return allows(scope, DEPARTMENT_WIDE)


def visible_kinds(scope: Scope) -> list[ExportKind]:
    """The files the exports page offers: a unit accountant sees only the expenditure detail."""
    return [kind for what, kind in KINDS.items() if what == EXPENDITURES or allows(scope, DEPARTMENT_WIDE)]


def filename_for(what: str, *, department_year: DepartmentYear, unit: BudgetUnit | None = None,
                 date_from: date | None = None, date_to: date | None = None) -> str:
    """The download's file name: department, year, kind, unit and dates. Codes are user text: a
    character a file name or a header cannot hold (a folder separator, a quote, a line break)
    becomes "_", so the name stays one file whatever a code holds."""
    kind = KINDS[what]
    parts = [department_year.department.code, str(department_year.year), str(kind.stem)]
    if unit is not None:
        parts.append(unit.code)
    if date_from or date_to:
        parts.append(f"{(date_from or date(department_year.year, 1, 1)):%Y%m%d}-{(date_to or date(department_year.year, 12, 31)):%Y%m%d}")
    return UNSAFE_IN_FILE_NAME.sub("_", "_".join(parts)) + "." + kind.extension


def generate(what: str, *, department_year: DepartmentYear, out: BinaryIO, stamp: Stamp,
             unit: BudgetUnit | None = None, date_from: date | None = None, date_to: date | None = None) -> None:
    """Write the file `what` of a department-year to the binary stream `out`."""
    KINDS[what].writer(department_year=department_year, out=out, stamp=stamp, unit=unit, date_from=date_from, date_to=date_to)
