"""The report's wording: figures, units, projects and indicators as the seed report words them.

fundmgr.exports.report lays these sentences out in the document.
"""

from collections import Counter
from datetime import date
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from fundmgr.lib.money import percent, wan
from fundmgr.lib.table_xlsx import Stamp
from indicators.models import Indicator
from indicators.wording import NO_DEVIATION, actual_text, deviation_text, target_text, value_text, year_end_flags
from units.models import BudgetUnit

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# The (一) (二) numbering of the indicator groups; English numbers them (1) (2).
ORDINALS = (
    pgettext_lazy("ordinal", "一"), pgettext_lazy("ordinal", "二"), pgettext_lazy("ordinal", "三"),
    pgettext_lazy("ordinal", "四"), pgettext_lazy("ordinal", "五"), pgettext_lazy("ordinal", "六"),
    pgettext_lazy("ordinal", "七"), pgettext_lazy("ordinal", "八"), pgettext_lazy("ordinal", "九"),
    pgettext_lazy("ordinal", "十"),
)


def money(amount: Decimal) -> str:
    """万元 with 2 decimals, no thousands separator, as the seed report writes: 8977.93."""
    return f"{wan(amount):.2f}"


def rate_text(rate: Decimal | None) -> str:
    shown = percent(rate)
    return "—" if shown is None else f"{shown:.2f}%"


def circled(index: int) -> str:
    return CIRCLED[index] if index < len(CIRCLED) else f"({index + 1})"


def filled_on(stamp: Stamp) -> date:
    """The stamp's day where the department is (settings.TIME_ZONE); stamps are naive UTC."""
    created = stamp.created if stamp.created.tzinfo else stamp.created.replace(tzinfo=dt_timezone.utc)
    return timezone.localtime(created).date()


def staff_count(value: int | None) -> str:
    return "—" if value is None else str(value)


def staff_total(units: list[BudgetUnit], field: str) -> int | None:
    values = [getattr(unit, field) for unit in units if getattr(unit, field) is not None]
    return sum(values) if values else None


def units_text(name: str, year: int, units: list[BudgetUnit]) -> str:
    kinds = Counter(unit.kind for unit in units)
    text = _(
        "%(name)s部门共有预算单位%(count)s家，其中行政单位%(admin)s家，参公管理事业单位%(civil)s家，事业单位%(inst)s家，"
        "纳入%(year)s年部门绩效自评范围的预算单位包括：%(list)s。"
    ) % {
        "name": name,
        "count": len(units),
        "admin": kinds[BudgetUnit.Kind.ADMINISTRATIVE],
        "civil": kinds[BudgetUnit.Kind.CIVIL_SERVICE_INSTITUTION],
        "inst": kinds[BudgetUnit.Kind.INSTITUTION],
        "year": year,
        "list": _("；").join(f"{index}.{unit.name}" for index, unit in enumerate(units, start=1)),
    }
    staff = []
    for field, label in (
        ("authorized_staff", _("人员编制数%(n)s人")),
        ("actual_staff", _("年底实有在职人员%(n)s人")),
        ("lixiu_staff", _("离休人员%(n)s人")),
        ("retired_staff", _("退休人员%(n)s人")),
    ):
        total = staff_total(units, field)
        if total is not None:
            staff.append(label % {"n": total})
    if staff:
        text += _("%(year)s年%(parts)s。") % {"year": year, "parts": _("，").join(staff)}
    return text


def project_line(item) -> str:
    """One project of the 项目支出 paragraph, worded like the seed: 收入 N 万元，支出 M 万元."""
    f = item.figures
    if f.full_year == 0 and f.initial > 0:
        return _("%(name)s年初预算%(initial)s万元，已全部调减（该项目终止未实施）") % {"name": item.name, "initial": money(f.initial)}
    if f.carryover and not (f.initial or f.addition):
        return _("%(name)s上年结转%(carryover)s万元，支出%(spent)s万元") % {
            "name": item.name, "carryover": money(f.carryover), "spent": money(f.spent)}
    return _("%(name)s收入%(full_year)s万元，支出%(spent)s万元") % {
        "name": item.name, "full_year": money(f.full_year), "spent": money(f.spent)}


def level_heading(level: str, indicators: list[Indicator]) -> str:
    """The seed groups indicators as 履职效能 (产出), 社会效益 (效益), 服务对象满意度 (DOMAIN.md section 7).

    A benefit group is named after its 二级指标 when they all share one, else 效益指标.
    """
    if level == Indicator.Level1.OUTPUT:
        return _("履职效能")
    if level == Indicator.Level1.SATISFACTION:
        return _("服务对象满意度")
    level2 = {indicator.level2_label for indicator in indicators}
    return level2.pop() if len(level2) == 1 and all(level2) else _("效益指标")


def in_report_order(indicators: list[Indicator]) -> list[Indicator]:
    order = [Indicator.Level1.OUTPUT, Indicator.Level1.BENEFIT, Indicator.Level1.SATISFACTION]
    return sorted(indicators, key=lambda indicator: order.index(indicator.level1))


def indicator_text(indicator: Indicator, flags: tuple[str, ...]) -> str:
    """The seed's sentence in the site's vocabulary (indicators.wording), where the published
    report wrote >= and 未偏离预期指标: 年初预期指标值完成≥5000个，年中绩效运行监控时完成800个，
    年末实际完成5000个。该指标无偏差。"""
    text = _("年初预期指标值完成%(target)s，年中绩效运行监控时完成%(midyear)s，年末实际完成%(actual)s。") % {
        "target": target_text(indicator),
        "midyear": value_text(indicator.midyear, indicator),
        "actual": actual_text(indicator),
    }
    if not year_end_flags(flags):
        return text + _("该指标%(deviation)s。") % {"deviation": NO_DEVIATION}
    return text + _("该指标有偏差：%(deviation)s。") % {"deviation": deviation_text(indicator, flags)}
