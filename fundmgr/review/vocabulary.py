"""The words of the published 自评表 forms that the reader looks for (DOMAIN.md section 10).

This is the file format the finance bureau receives, in Chinese whatever the interface language,
as fundmgr/workbook/schema.py is for the budget workbook: data to match, not interface text.
Header words are compared after fundmgr.review.reader.header_word has normalised a cell (NFKC,
so full-width brackets and colons are ASCII, blanks removed, a trailing note in brackets
dropped). Each tuple lists the wordings seen in published forms, the 财预〔2020〕10号 annex's first.
"""

import re

from indicators.scoring import Rating

MONEY_HEADERS = {
    "initial": ("年初预算数", "年初预算", "年初预算金额"),
    "full_year": ("全年预算数", "全年预算", "调整后预算数", "全年预算金额"),
    "spent": ("全年执行数", "全年执行", "执行数", "实际执行数", "全年支出数", "实际支出数"),
    "points": ("分值", "权重"),
    "rate": ("执行率", "预算执行率"),
    "earned": ("得分", "自评得分"),
}
# A money row is labelled with one of these words (其中：当年财政拨款 contains 财政拨款).
MONEY_LABELS = {
    "total": ("年度资金总额", "资金总额"),
    "appropriation": ("当年财政拨款", "财政拨款"),
    "carryover": ("上年结转资金", "上年结转"),
    "other": ("其他资金",),
}
INDICATOR_HEADERS = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标", "指标名称", "三级指标名称"),
    "target": ("年度指标值", "指标值", "目标值", "年度目标值", "预期指标值", "预期目标值"),
    "actual": ("实际完成值", "全年实际值", "完成值", "全年完成值", "实际值", "年度实际完成值"),
    "points": ("分值", "权重", "指标分值"),
    "earned": ("得分", "自评得分", "指标得分"),
    "deviation": ("偏差原因分析及改进措施", "偏差原因分析及改进措施说明", "偏差原因分析", "偏差原因及改进措施"),
}
TOTAL_LABELS = ("总分", "合计", "总计", "自评总分", "总分合计", "合计得分")
RATING_LABELS = ("自评等级", "评价等级", "绩效等级", "等级", "自评结果")
PROJECT_NAME_LABELS = ("项目名称",)
DEPARTMENT_NAME_LABELS = ("部门名称", "部门(单位)名称", "单位名称", "部门")
GOAL_EXPECTED, GOAL_ACTUAL = "预期目标", "实际完成情况"
PROJECT_TITLE_WORDS = ("项目",)
DEPARTMENT_TITLE_WORDS = ("部门", "整体")

# A figure may carry its unit or 分 after the number: 9.59分, 20.00万元.
FIGURE_SUFFIXES = ("万元", "元", "分")
# Cells that say "nothing here".
BLANK_MARKS = frozenset({"-", "—", "——", "－", "/", "／", "–", "无数据"})

TITLE = re.compile(r"[^,.;:!?。、]{0,60}绩效自评表")  # a title, not a sentence naming the form
MONEY_UNIT = re.compile(r"\((?:金额)?(?:单位:)?(万元|元)\)|单位:(万元|元)")
WAN = "万元"  # amounts rounded to 0.01 万元, 100 yuan
YEAR = re.compile(r"((?:19|20)\d{2})年")
RATING_INLINE = re.compile(r"(?:自评等级|评价等级|绩效等级|等级):?(.+)")
DATE_TEXT = "{year}年{month}月{day}日"  # a date cell as the parser reads a date

# The rating as a 自评表 writes it (section 3.6): what the JSON states, whatever the interface
# language, and the words a table may use for it.
RATING_TEXT = {Rating.EXCELLENT: "优", Rating.GOOD: "良", Rating.FAIR: "中", Rating.POOR: "差"}
RATING_WORDS = {"优": "优", "优秀": "优", "良": "良", "良好": "良", "中": "中", "中等": "中", "差": "差", "较差": "差"}

# What a table writes as the 年度指标值 of a qualitative indicator: the direction, not a target.
QUALITATIVE_TARGET = "定性"

# The 偏差原因分析及改进措施 cell as tables write it, read when a filled 自评表 is loaded into an
# evaluation (fundmgr.review.load). Our own export writes “未完成目标值。原因：…。措施：…”
# (indicators.wording); a table may also write “无” for no deviation.
MEASURES_LABEL = re.compile(r"[。；;，,]?\s*(?:改进)?措施\s*[：:]")
REASON_LABEL = re.compile(r"^(?:偏差原因分析|偏差原因|原因)\s*[：:]")
DEVIATION_SEPARATORS = "。；;，, "
FULL_STOP = "。"
NONE_WORDS = ("无",)
