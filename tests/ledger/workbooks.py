"""Budget workbooks (DOMAIN.md section 4) built in memory for the import and upload tests."""

from io import BytesIO

from openpyxl import Workbook


def workbook_bytes(sheets: dict[str, list[list]]) -> BytesIO:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def department_workbook(world=None, *, code="PD", year=2024, spend="1000.00") -> BytesIO:
    """A small valid workbook for department `code`: one unit, one item of 100000.00, one expenditure."""
    if world is not None:
        code, year = world.code, world.year
    return workbook_bytes(
        {
            "部门": [["部门编码", "部门名称", "年度"], [code, "测试部门", year]],
            "预算单位": [["单位编码", "单位名称", "单位性质"], ["A", "甲单位", "行政单位"]],
            "预算项目": [["项目编码", "项目名称", "单位编码", "项目类别"], ["A1", "甲培训经费", "A", "特定目标类"]],
            "预算指标": [["项目编码", "资金来源", "调整类型", "金额", "日期", "文号"], ["A1", "本级财政", "年初预算", "100000.00", f"{year}-01-01", ""]],
            "支出明细": [["项目编码", "支出日期", "金额", "经济分类", "摘要", "凭证号"], ["A1", f"{year}-03-15", spend, "30201", "办公用品", "记-1"]],
            "绩效指标": [["指标编码", "一级指标", "二级指标", "指标名称", "指标方向", "目标值", "计量单位", "分值", "半年完成值", "全年完成值", "定性等级", "得分率", "项目编码"]],
        }
    )
