import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fundmgr.lib.validators import refuse_control_characters
from indicators.models import GOAL_TEXT_MAX, Indicator, ScoringProfile

# Plain decimal notation with half-width digits only: no exponent (1e309), no NaN or infinity,
# "," as a thousands separator in groups of three, as the workbook import and the expenditure form
# accept numbers (DOMAIN.md section 4; "１２３" is refused everywhere, not read as 123).
NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?", re.ASCII)
TEXT_MAX_LENGTH = 2000  # a reason fits one cell of the 自评表 (Excel holds 32,767 characters)


def parse_number(text: str, *, label: str, max_digits: int, decimal_places: int) -> Decimal | None:
    """A number typed by a user, as an exact Decimal; None when blank. The message names the field."""
    text = (text or "").strip().replace("，", ",")
    if not text:
        return None
    if any(character.isdigit() and not character.isascii() for character in text):
        raise forms.ValidationError(_("%(field)s请使用半角数字，如 5000 或 95.5") % {"field": label})
    if not NUMBER.fullmatch(text):
        raise forms.ValidationError(_("%(field)s须为数字，如 5000 或 95.5") % {"field": label})
    value = Decimal(text.replace(",", ""))
    if value == 0:
        value = abs(value)  # "-0" is stored and shown as 0
    exponent = value.as_tuple().exponent
    if -exponent > decimal_places:
        raise forms.ValidationError(_("%(field)s最多%(places)s位小数") % {"field": label, "places": decimal_places})
    if abs(value) >= Decimal(10) ** (max_digits - decimal_places):
        raise forms.ValidationError(_("%(field)s超出允许的范围") % {"field": label})
    return value


class NumberField(forms.CharField):
    """A number as text, parsed by parse_number (Django's DecimalField lets 1e309 through to an
    English digits message)."""

    def __init__(self, *, max_digits: int, decimal_places: int, **kwargs):
        self.max_digits, self.decimal_places = max_digits, decimal_places
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return parse_number(
            super().to_python(value), label=str(self.label), max_digits=self.max_digits, decimal_places=self.decimal_places
        )

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        return value


VALUE_DIGITS = {"max_digits": 20, "decimal_places": 4}


class IndicatorResultsForm(forms.Form):
    """The finance office's entry of one indicator's results. Which fields show depends
    on the direction: values for a quantitative indicator, tier and 得分率 for a qualitative one."""

    midyear = NumberField(label=gettext_lazy("半年完成值"), **VALUE_DIGITS)
    actual = NumberField(label=gettext_lazy("全年完成值"), **VALUE_DIGITS)
    tier = forms.ChoiceField(
        label=gettext_lazy("定性等级"), required=False, choices=[("", "—")] + list(Indicator.Tier.choices)
    )
    rate = NumberField(
        label=gettext_lazy("得分率（%）"),
        max_digits=5,
        decimal_places=2,
        help_text=gettext_lazy("不填时按等级取默认值：达成100%，部分达成60%，未达成0%"),
    )
    deviation_reason = forms.CharField(
        label=gettext_lazy("偏差原因分析"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[refuse_control_characters],
    )
    corrective_measures = forms.CharField(
        label=gettext_lazy("改进措施"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[refuse_control_characters],
    )

    override_earned = NumberField(
        label=gettext_lazy("评价人得分"),
        max_digits=6,
        decimal_places=2,
        help_text=gettext_lazy("评价人给出与公式不同的得分时填写，须同时填写调整理由；留空则按公式计分"),
    )
    override_reason = forms.CharField(
        label=gettext_lazy("调整理由"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[refuse_control_characters],
    )

    def __init__(self, *args, indicator: Indicator, **kwargs):
        kwargs["initial"] = {
            "override_earned": indicator.override_earned,
            "override_reason": indicator.override_reason,
            "midyear": indicator.midyear,
            "actual": indicator.actual,
            "tier": indicator.tier,
            "rate": indicator.rate,
            "deviation_reason": indicator.deviation_reason,
            "corrective_measures": indicator.corrective_measures,
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)
        if indicator.direction == Indicator.Direction.QUALITATIVE:
            del self.fields["midyear"], self.fields["actual"]
        else:
            del self.fields["tier"], self.fields["rate"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("override_earned") is None and (cleaned.get("override_reason") or "").strip():
            self.add_error("override_earned", _("填写了调整理由，请同时填写评价人得分"))
        return cleaned

    def clean_rate(self):
        rate = self.cleaned_data.get("rate")
        if rate is not None and not Decimal("0") <= rate <= Decimal("100"):
            raise forms.ValidationError(_("得分率须在0到100之间"))
        return rate


class ScoringProfileForm(forms.Form):
    """评分设置 of the department-year (item blank) or of one item (DOMAIN.md section 9)."""

    item = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    execution_points = forms.TypedChoiceField(
        label=gettext_lazy("预算执行率分值"), choices=ScoringProfile.ExecutionPoints.choices, coerce=int
    )
    rounding = forms.ChoiceField(label=gettext_lazy("得分保留小数位"), choices=ScoringProfile.Rounding.choices)


class AnnualGoalForm(forms.Form):
    """年度总体目标 of the department-year (item blank) or of one item (DOMAIN.md section 9)."""

    item = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    expected = forms.CharField(
        label=gettext_lazy("预期目标"),
        required=False,
        max_length=GOAL_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[refuse_control_characters],
    )
    achieved = forms.CharField(
        label=gettext_lazy("实际完成情况"),
        required=False,
        max_length=GOAL_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[refuse_control_characters],
    )
