"""Writes of the performance self-evaluation."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import Indicator
from indicators.scoring import ScoringError, completion_ratio
from indicators.selectors import indicator_input
from units.locks import department_year_lock_shared


def indicator_update_results(
    *,
    indicator: Indicator,
    midyear: Decimal | None,
    actual: Decimal | None,
    tier: str = "",
    rate: Decimal | None = None,
    deviation_reason: str = "",
    corrective_measures: str = "",
    final: bool = False,
    user=None,
) -> Indicator:
    """Record an indicator's mid-year and year-end results and its 偏差原因分析及改进措施.

    Rules (DOMAIN.md section 3):
    - a quantitative indicator (`≥`, `≤`, `=`) takes values, never a tier or 得分率;
    - a qualitative one takes a tier and an optional 得分率, which must lie in the tier's range (3.3);
    - saved as final, the year-end result is required, and a missed target (r < 1) needs both a
      deviation reason and corrective measures (3.7). A draft may be incomplete.

    Locks the indicator's row, so two officers saving at once cannot interleave; simple_history
    records who saved. Raises ValidationError keyed by form field, with Chinese messages.
    """
    with transaction.atomic():
        # The ledger's lock order (units/locks.py): the department-year shared, then the row. A
        # replace of the year may have deleted the indicator since the form was loaded.
        gone = _("该绩效指标已不存在（年度数据可能刚被重新导入），请刷新页面")
        if not department_year_lock_shared(indicator.department_year_id):
            raise ValidationError(gone)
        locked = Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
        if locked is None:
            raise ValidationError(gone)
        qualitative = locked.direction == Indicator.Direction.QUALITATIVE
        errors: dict[str, str] = {}
        if qualitative:
            if midyear is not None:
                errors["midyear"] = _("定性指标不填半年完成值，请在定性等级中评价")
            if actual is not None:
                errors["actual"] = _("定性指标不填全年完成值，请选择定性等级")
            if rate is not None and not tier:
                errors["rate"] = _("填写得分率须先选择定性等级")
        else:
            if tier:
                errors["tier"] = _("定量指标不填定性等级")
            if rate is not None:
                errors["rate"] = _("定量指标不填得分率，得分由完成值计算")
        if errors:
            raise ValidationError(errors)

        locked.midyear = midyear
        locked.actual = actual
        locked.tier = tier
        locked.rate = rate
        locked.deviation_reason = deviation_reason.strip()
        locked.corrective_measures = corrective_measures.strip()
        try:
            ratio = completion_ratio(indicator_input(locked))
        except ScoringError as error:
            raise ValidationError({"rate" if qualitative else "actual": str(error)}) from error

        if final:
            if ratio is None:
                field = "tier" if qualitative else "actual"
                message = _("定稿须选择定性等级") if qualitative else _("定稿须填写全年完成值")
                raise ValidationError({field: message})
            if ratio < 1:
                missing = {}
                if not locked.deviation_reason:
                    missing["deviation_reason"] = _("未完成目标值，定稿须填写偏差原因分析")
                if not locked.corrective_measures:
                    missing["corrective_measures"] = _("未完成目标值，定稿须填写改进措施")
                if missing:
                    raise ValidationError(missing)
        locked.results_final = final
        locked._history_user = user
        locked.full_clean(exclude=["department_year", "item"])
        locked.save()
    return locked
