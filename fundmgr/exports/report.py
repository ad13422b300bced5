"""部门整体支出绩效自评报告 (python-docx), sections 一 to 六 as the seed report numbers them.

Every figure comes from projects.selectors.budget_summary and indicators.selectors.evaluations_for;
the narrative sections are DepartmentYear.duties / key_work / problems / measures, written by
the finance office on the narrative page. Nothing is typed twice, so nothing can disagree.
"""

from decimal import Decimal
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from fundmgr.exports.report_text import (
    ORDINALS,
    circled,
    filled_on,
    in_report_order,
    indicator_text,
    level_heading,
    money,
    project_line,
    rate_text,
    staff_count,
    staff_total,
    units_text,
)
from fundmgr.exports.selectors import by_source_and_kind, spending_by_economic_item
from fundmgr.lib.money import round_half_up, wan
from fundmgr.lib.table_xlsx import Stamp
from indicators.models import Indicator
from indicators.selectors import annual_goals, evaluations_for
from indicators.wording import actual_text, deviation_text, target_text, value_text
from projects.models import BudgetItem, BudgetLine
from projects.selectors import Figures, budget_summary
from units.models import BudgetUnit, DepartmentYear

# Font family names, not text a reader sees (the test of unmarked strings allows these four).
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
SUBHEADING_FONT = "楷体"
PLACEHOLDER = gettext_lazy("（待财务处在“报告文字”页填写）")


class ReportWriter:
    """Thin helpers over python-docx for the government-document look: 黑体 headings, 仿宋 body."""

    def __init__(self):
        self.document = Document()
        section = self.document.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.top_margin = section.bottom_margin = Cm(2.54)
        section.left_margin = section.right_margin = Cm(2.8)
        normal = self.document.styles["Normal"]
        normal.font.name = BODY_FONT
        normal.font.size = Pt(14)
        normal.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)
        normal.paragraph_format.line_spacing = Pt(26)
        normal.paragraph_format.space_after = Pt(0)

    def _run(self, paragraph, text: str, *, font: str = BODY_FONT, bold: bool = False, size: float | None = None, grey=False):
        run = paragraph.add_run(text)
        run.font.name = font
        run.element.rPr.rFonts.set(qn("w:eastAsia"), font)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if grey:
            run.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
        return run

    def title(self, text: str) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(12)
        self._run(paragraph, text, font=TITLE_FONT, bold=True, size=20)

    def heading(self, text: str, *, level: int = 1) -> None:
        """一、 headings in 黑体, (一) headings in 楷体 bold, as government reports set them."""
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(28)
        paragraph.paragraph_format.keep_with_next = True
        self._run(paragraph, text, font=HEADING_FONT if level == 1 else SUBHEADING_FONT, bold=level > 1)

    def para(self, text: str, *, lead: str = "", indent: bool = True) -> None:
        """A body paragraph; `lead` is a bold run in front (一是…). Empty narrative shows a placeholder."""
        paragraph = self.document.add_paragraph()
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(28)
        if lead:
            self._run(paragraph, lead, bold=True)
        if text:
            self._run(paragraph, text)
        else:
            self._run(paragraph, str(PLACEHOLDER), grey=True)

    def narrative(self, text: str, *, lead: str = "") -> None:
        """Narrative text, one paragraph per line as typed in the form."""
        paragraphs = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if not paragraphs:
            self.para("", lead=lead)
            return
        self.para(paragraphs[0], lead=lead)
        for line in paragraphs[1:]:
            self.para(line)

    def table(self, headers: list[str], rows: list[list[str]], *, caption: str, numeric_from: int = 1) -> None:
        caption_paragraph = self.document.add_paragraph()
        caption_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(caption_paragraph, caption, font=HEADING_FONT, size=11)
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, header in zip(table.rows[0].cells, headers):
            cell.text = ""
            self._run(cell.paragraphs[0], header, font=HEADING_FONT, size=10.5)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for values in rows:
            cells = table.add_row().cells
            for index, (cell, value) in enumerate(zip(cells, values)):
                cell.text = ""
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.first_line_indent = Pt(0)
                paragraph.paragraph_format.line_spacing = Pt(16)
                self._run(paragraph, value, size=10.5, bold=values[0] in (_("合计"), _("总分")))
                if index >= numeric_from:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for cell in table.rows[0].cells:
            cell.paragraphs[0].paragraph_format.first_line_indent = Pt(0)
        self.document.add_paragraph()


def write_report(*, department_year: DepartmentYear, out: BinaryIO, stamp: Stamp) -> None:
    """Write the self-evaluation report of a department-year as .docx to `out`."""
    summary = budget_summary(department_year=department_year)
    evaluations = evaluations_for(summary=summary)
    department, year = department_year.department, department_year.year
    units = list(BudgetUnit.objects.filter(department=department).order_by("position", "code"))
    doc = ReportWriter()

    doc.title(_("%(name)s%(year)s年度部门整体支出绩效自评报告") % {"name": department.name, "year": year})
    filled = filled_on(stamp)
    filled_text = _("%(year)s 年 %(month)s 月 %(day)s 日") % {"year": filled.year, "month": filled.month, "day": filled.day}
    doc.para(_("填报时间：%(date)s") % {"date": filled_text}, indent=False)

    # 一、基本概况
    doc.heading(_("一、基本概况"))
    doc.heading(_("(一)部门单位基本情况:"), level=2)
    doc.narrative(department_year.duties, lead=_("一是主要职能及主要职责："))
    doc.para(units_text(department.name, year, units), lead=_("二是机构人员情况："))
    doc.table(
        [_("序号"), _("预算单位"), _("单位性质"), _("编制数"), _("实有人数"), _("离休人数"), _("退休人数")],
        [
            [str(index), unit.name, unit.get_kind_display(), *(staff_count(n) for n in
             (unit.authorized_staff, unit.actual_staff, unit.lixiu_staff, unit.retired_staff))]
            for index, unit in enumerate(units, start=1)
        ]
        + [[_("合计"), "", "", *(staff_count(staff_total(units, field)) for field in
            ("authorized_staff", "actual_staff", "lixiu_staff", "retired_staff"))]],
        caption=_("表1 预算单位及人员情况"),
        numeric_from=3,
    )
    doc.heading(_("(二)部门单位年度重点工作:"), level=2)
    doc.narrative(department_year.key_work)
    doc.heading(_("(三)部门单位整体预算规模及安排情况:"), level=2)
    totals = summary.totals
    sources = {row.source: row.figures for row in by_source_and_kind(summary=summary)}
    doc.para(
        _(
            "%(year)s年初批复我部门预算资金%(initial)s万元，年中追加资金%(addition)s万元，年中调减资金%(reduction)s万元，"
            "上年结转结余和非财政结转结余%(carryover)s万元，全年预算数%(full_year)s万元，其中：上级安排%(superior)s万元，"
            "本级财政安排%(local)s万元，其他资金%(other)s万元。"
        )
        % {
            "year": year,
            "initial": money(totals.initial),
            "addition": money(totals.addition),
            "reduction": money(totals.reduction),
            "carryover": money(totals.carryover),
            "full_year": money(totals.full_year),
            "superior": money(sources[BudgetLine.Source.SUPERIOR].full_year),
            "local": money(sources[BudgetLine.Source.LOCAL].full_year),
            "other": money(sources[BudgetLine.Source.OTHER].full_year),
        }
    )
    doc.table(
        [_("资金来源"), _("年初预算"), _("年中追加"), _("年中调减"), _("上年结转"), _("全年预算数")],
        [
            [str(BudgetLine.Source(source).label), money(f.initial), money(f.addition), money(f.reduction),
             money(f.carryover), money(f.full_year)]
            for source, f in sources.items()
        ]
        + [[_("合计"), money(totals.initial), money(totals.addition), money(totals.reduction),
            money(totals.carryover), money(totals.full_year)]],
        caption=_("表2 预算资金构成（万元）"),
    )

    # 二、部门单位整体支出管理及使用情况
    doc.heading(_("二、部门单位整体支出管理及使用情况"))
    classes = spending_by_economic_item(summary=summary)
    class_parts = _("，").join(_("%(name)s%(amount)s万元") % {"name": c.name, "amount": money(c.spent)} for c in classes)
    doc.para(
        _("%(year)s年实际支出%(spent)s万元%(sep)s%(parts)s。")
        % {"year": year, "spent": money(totals.spent), "sep": _("，其中") if classes else "", "parts": class_parts},
        lead=_("一是整体支出规模。"),
    )
    doc.table(
        [_("科目编码"), _("科目名称"), _("执行数（万元）"), _("占比")],
        [[c.code, c.name, money(c.spent), rate_text(c.spent / totals.spent if totals.spent else None)] for c in classes]
        + [[_("合计"), "", money(totals.spent), rate_text(Decimal("1") if totals.spent else None)]],
        caption=_("表3 支出按经济分类（万元）"),
        numeric_from=2,
    )
    threshold = wan(settings.APPROVAL_THRESHOLD)
    doc.para(
        _(
            "基本支出按照进度每月分期拨付，人员支出按照工资计划发放；项目支出属于政府采购的，按规定方式组织采购；"
            "按照“三重一大”制度规定，%(threshold)s万元及以上的支出经党组会研究决定后生效。"
        )
        % {"threshold": f"{threshold.normalize():f}"},
        lead=_("二是整体支出管理情况。"),
    )
    personnel = summary.by_category[BudgetItem.Category.PERSONNEL]
    operating = summary.by_category[BudgetItem.Category.OPERATING]
    project = summary.by_category[BudgetItem.Category.PROJECT]
    basic = Figures()
    basic.add(personnel)
    basic.add(operating)
    doc.para(
        _(
            "（一）基本支出。基本支出用于保障机构正常运转、完成日常工作任务，包括人员经费和公用经费。"
            "%(year)s年年初预算%(initial)s万元，年中追加%(addition)s万元，年中调减%(reduction)s万元，上年结转结余%(carryover)s万元，"
            "全年预算数%(full_year)s万元，实际支出%(spent)s万元，执行率%(rate)s。"
            "其中，人员经费年初预算%(p_initial)s万元，全年预算数%(p_full_year)s万元，实际支出%(p_spent)s万元；"
            "公用经费年初预算%(o_initial)s万元，全年预算数%(o_full_year)s万元，实际支出%(o_spent)s万元。"
        )
        % {
            "year": year, "initial": money(basic.initial), "addition": money(basic.addition),
            "reduction": money(basic.reduction), "carryover": money(basic.carryover), "full_year": money(basic.full_year),
            "spent": money(basic.spent), "rate": rate_text(basic.execution_rate),
            "p_initial": money(personnel.initial), "p_full_year": money(personnel.full_year), "p_spent": money(personnel.spent),
            "o_initial": money(operating.initial), "o_full_year": money(operating.full_year), "o_spent": money(operating.spent),
        },
        lead=_("三是整体支出实际使用情况。"),
    )
    doc.para(
        _(
            "（二）项目支出。%(year)s年年初预算%(initial)s万元，年中追加%(addition)s万元，年中调减%(reduction)s万元，"
            "上年结转结余资金%(carryover)s万元，全年预算数%(full_year)s万元，实际支出数%(spent)s万元，执行率%(rate)s，其中："
        )
        % {
            "year": year, "initial": money(project.initial), "addition": money(project.addition),
            "reduction": money(project.reduction), "carryover": money(project.carryover),
            "full_year": money(project.full_year), "spent": money(project.spent), "rate": rate_text(project.execution_rate),
        }
    )
    project_items = [item for item in summary.by_item if item.category == BudgetItem.Category.PROJECT]
    unit_index = 0
    for unit in summary.by_unit:
        lines = [project_line(item) for item in project_items if item.unit_id == unit.id]
        if lines:
            doc.para(
                _("%(number)s%(unit)s：%(projects)s。")
                % {"number": circled(unit_index), "unit": unit.name, "projects": _("；").join(lines)}
            )
            unit_index += 1
    doc.table(
        [_("预算单位"), _("项目名称"), _("全年预算数"), _("执行数"), _("执行率")],
        [[item.unit_name, item.name, money(item.figures.full_year), money(item.figures.spent),
          rate_text(item.figures.execution_rate)] for item in project_items]
        + [[_("合计"), "", money(project.full_year), money(project.spent), rate_text(project.execution_rate)]],
        caption=_("表4 项目支出执行情况（万元）"),
        numeric_from=2,
    )

    # 三、部门单位整体支出绩效分析
    doc.heading(_("三、部门单位整体支出绩效分析"))
    # 年度总体目标 of the department and of each item that has one (DOMAIN.md section 9).
    goals = annual_goals(department_year_id=department_year.pk)
    if goals:
        scopes = [(None, _("部门整体"))] + [(row.id, f"{row.code} {row.name}") for row in summary.by_item]
        doc.table(
            [_("范围"), _("预期目标"), _("实际完成情况")],
            [[name, goals[key].expected, goals[key].achieved] for key, name in scopes if key in goals],
            caption=_("年度总体目标"),
            numeric_from=3,
        )
    evaluation = evaluations.department
    scores = {score.code: score for score in evaluation.indicators} if evaluation else {}
    indicators = evaluations.department_indicators
    if not indicators:
        doc.para(_("本年度未设置部门整体绩效指标。"))
    number = 0
    group = 0
    for level in (Indicator.Level1.OUTPUT, Indicator.Level1.BENEFIT, Indicator.Level1.SATISFACTION):
        in_level = [indicator for indicator in indicators if indicator.level1 == level]
        if not in_level:
            continue
        doc.heading(
            _("（%(n)s）指标%(n)s：%(label)s") % {"n": ORDINALS[group], "label": level_heading(level, in_level)},
            level=2,
        )
        group += 1
        for indicator in in_level:
            score = scores.get(indicator.code)
            doc.para(
                _("%(number)s%(name)s：%(text)s")
                % {"number": circled(number), "name": indicator.name, "text": indicator_text(indicator, score.flags if score else ())}
            )
            number += 1
    if indicators:
        doc.table(
            [_("指标"), _("年度指标值"), _("半年完成值"), _("全年完成值"), _("分值"), _("得分"), _("偏差原因分析及改进措施")],
            [
                [
                    f"{circled(index)}{indicator.name}",
                    target_text(indicator),
                    value_text(indicator.midyear, indicator),
                    actual_text(indicator),
                    f"{scores[indicator.code].points:.2f}" if indicator.code in scores else "—",
                    f"{scores[indicator.code].earned:.2f}" if indicator.code in scores else "—",
                    deviation_text(indicator, scores[indicator.code].flags) if indicator.code in scores else "—",
                ]
                for index, indicator in enumerate(in_report_order(indicators))
            ],
            caption=_("表5 绩效指标完成情况"),
        )

    # 四、评价结论
    doc.heading(_("四、评价结论"))
    if evaluation is None:
        doc.para(_("本年度未设置部门整体绩效指标，未计算自评得分。"))
    elif evaluation.draft:
        # A draft (DOMAIN.md section 9): year-end values still blank, so no score and no rating.
        names = {indicator.code: indicator.name for indicator in indicators}
        doc.para(
            _(
                "%(year)s年度部门整体支出绩效自评为草稿（未评分）：以下指标尚未填报全年完成情况，暂不计算综合得分和评价等级：%(names)s。"
            )
            % {"year": year, "names": _("、").join(names[code] for code in evaluation.missing)}
        )
        doc.table(
            [_("评价内容"), _("分值"), _("得分")],
            [
                [
                    _("预算执行率（%(rate)s）") % {"rate": rate_text(evaluation.execution_rate)},
                    f"{evaluation.execution_max:.2f}",
                    f"{evaluation.execution_score:.2f}",
                ],
                [_("总分"), f"{evaluation.max:.2f}", _("草稿（未评分）")],
            ],
            caption=_("表6 自评得分（草稿（未评分））"),
        )
    else:
        # The report states the score to one decimal (99.59 -> 99.6), as the seed report does;
        # the 自评表 keeps two.
        doc.para(
            _("%(year)s年度部门整体支出绩效自评综合得分%(score)s分，评价结果为“%(rating)s”。")
            % {"year": year, "score": f"{round_half_up(evaluation.score, 1):.1f}", "rating": evaluation.rating.label}
        )
        doc.table(
            [_("评价内容"), _("分值"), _("得分")],
            [
                [_("预算执行率（%(rate)s）") % {"rate": rate_text(evaluation.execution_rate)}, f"{evaluation.execution_max:.2f}", f"{evaluation.execution_score:.2f}"],
                [_("绩效指标"), f"{evaluation.indicator_points:.2f}", f"{evaluation.indicator_earned:.2f}"],
                [_("总分"), f"{evaluation.max:.2f}", f"{evaluation.score:.2f}"],
            ],
            caption=_("表6 自评得分（评价等级：%(rating)s）") % {"rating": evaluation.rating.label},
        )

    # 五、六
    doc.heading(_("五、存在的主要问题及原因分析："))
    doc.narrative(department_year.problems)
    doc.heading(_("六、改进措施和建议"))
    doc.narrative(department_year.measures)

    properties = doc.document.core_properties
    properties.author = stamp.creator
    properties.last_modified_by = stamp.creator
    properties.created = stamp.created
    properties.modified = stamp.created
    properties.title = _("部门整体支出绩效自评报告")
    doc.document.save(out)
