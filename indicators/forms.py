import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fundmgr.lib.validators import refuse_control_characters
from indicators import targets
from indicators.models import GOAL_TEXT_MAX, TEXT_VALUE_MAX, Indicator, MonitoringCause, ScoringProfile
from indicators.targets import Parsed, derived_tier, parse, plain_number

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
    return bounded_number(Decimal(text.replace(",", "")), label=label, max_digits=max_digits, decimal_places=decimal_places)


def bounded_number(value: Decimal, *, label: str, max_digits: int, decimal_places: int) -> Decimal:
    """`value` as a model field of max_digits / decimal_places stores it ("-0" as 0), or a message
    naming the field: the one check of a typed number's size, plain or read from a value text."""
    if value == 0:
        value = abs(value)  # "-0" is stored and shown as 0
    if -value.as_tuple().exponent > decimal_places:
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


def value_text_field(label) -> forms.CharField:
    """半年完成值 or 全年完成值 as written (5000户, 98%以上, 达到预期, 11月20日; DOMAIN.md section 9)."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_VALUE_MAX,
        validators=[refuse_control_characters],
        help_text=gettext_lazy(
            "可按原文填写，如 5000户、98%以上；定性指标可填定性表述（如达到预期），日期目标可填完成日期（如11月20日）"
        ),
    )


class IndicatorResultsForm(forms.Form):
    """The finance office's entry of one indicator's results. Which fields show depends
    on the direction: values for every indicator, tier and 得分率 for a qualitative one.

    The values are text, read with indicators.targets.parse (the department's phrases, the
    evaluation's year): a number, with or without its unit and direction words, is the value,
    and the text is kept beside it when it says more than the number; a phrase or a date is
    kept as text and, on a qualitative indicator whose 定性等级 is left blank, gives the tier
    (indicators.targets.derived_tier)."""

    numbers_only = ("actual",)  # the value texts where a quantitative indicator takes a number only
    midyear = value_text_field(gettext_lazy("半年完成值"))
    actual = value_text_field(gettext_lazy("全年完成值"))
    tier = forms.ChoiceField(
        label=gettext_lazy("定性等级"),
        required=False,
        choices=[("", "—")] + list(Indicator.Tier.choices),
        help_text=gettext_lazy("不选时按全年完成值判定：定性表述按本部门的定性表述列表，日期目标按是否按期完成"),
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

    def __init__(self, *args, indicator: Indicator, phrases: dict[str, str] | None = None, year: int | None = None, **kwargs):
        """`phrases`: the department's list (indicators.selectors.department_phrases), None for the
        defaults; `year`: the evaluation's, which places a date written without one (11月20日)."""
        self.indicator = indicator
        self.qualitative = indicator.direction == Indicator.Direction.QUALITATIVE
        self.phrases = phrases
        self.year = indicator.department_year.year if year is None else year
        self.target = parse(indicator.target_text, year=self.year, phrases=phrases)
        self.texts: dict[str, str] = {}
        self.readings: dict[str, Parsed] = {}
        # A tier the stored 全年完成值 gives shows blank, so that a changed value gives its own
        # tier again rather than the old one winning as if the evaluator had chosen it.
        stored = parse(indicator.actual_text, year=self.year, phrases=phrases)
        derived = indicator.tier and derived_tier(self.target, stored) == indicator.tier
        kwargs["initial"] = {
            "override_earned": indicator.override_earned,
            "override_reason": indicator.override_reason,
            "midyear": indicator.midyear_text or plain_number(indicator.midyear),
            "actual": indicator.actual_text or plain_number(indicator.actual),
            "tier": "" if derived else indicator.tier,
            "rate": indicator.rate,
            "deviation_reason": indicator.deviation_reason,
            "corrective_measures": indicator.corrective_measures,
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)
        if not self.qualitative:
            del self.fields["tier"], self.fields["rate"]
        if indicator.formula:
            # values from a ledger formula (issue 16): shown, never typed; the view has filled them
            for name in ("midyear", "actual"):
                self.fields[name].widget.attrs["readonly"] = True
                self.fields[name].help_text = _("由账表取数公式自动计算，不能手工填写")

    def clean_midyear(self):
        return self._value("midyear")

    def clean_actual(self):
        return self._value("actual")

    def _value(self, name: str) -> Decimal | None:
        """The number a value text gives (None for a blank, a phrase or a date); its text is kept
        in self.texts when it says more than a plain number. The messages name the field."""
        text = (self.cleaned_data.get(name) or "").strip()
        label = str(self.fields[name].label)
        if self.indicator.formula:
            computed = self.indicator.actual_text if name == "actual" else self.indicator.midyear_text
            if text and text != computed:
                raise forms.ValidationError(
                    _("%(column)s由账表取数公式自动计算（现为%(value)s），不能手工填写")
                    % {"column": label, "value": computed or "—"}
                )
            self.texts[name] = ""
            return None
        read = parse(text, year=self.year, phrases=self.phrases)
        self.readings[name] = read
        self.texts[name] = "" if read.kind == targets.BLANK or NUMBER.fullmatch(text) else text
        if read.kind == targets.UNPARSED:
            raise forms.ValidationError(
                _(
                    "%(column)s“%(value)s”无法识别：请填写数字（可带单位和≥、≤、以上、以下）、日期（如12月底前），或定性表述（如达到预期）"
                )
                % {"column": label, "value": text}
            )
        if read.kind == targets.DATE and self.target.kind != targets.DATE:
            raise forms.ValidationError(
                _("%(column)s“%(value)s”是日期，只用于日期目标值（如12月底前）") % {"column": label, "value": text}
            )
        if read.kind == targets.QUALITATIVE and name in self.numbers_only and not self.qualitative:
            raise forms.ValidationError(
                _("%(column)s“%(value)s”是定性表述，定量指标须填写数字") % {"column": label, "value": text}
            )
        if read.kind != targets.NUMBER:
            return None
        unit = self.indicator.unit.strip()
        if read.unit and unit and read.unit != unit:
            raise forms.ValidationError(
                _("%(column)s“%(value)s”的单位与计量单位“%(unit)s”不一致") % {"column": label, "value": text, "unit": unit}
            )
        return bounded_number(read.value, label=label, **VALUE_DIGITS)

    def clean(self):
        cleaned = super().clean()
        cleaned["midyear_text"] = self.texts.get("midyear", "")
        cleaned["actual_text"] = self.texts.get("actual", "")
        if self.qualitative and not cleaned.get("tier") and "actual" in self.readings:
            cleaned["tier"] = derived_tier(self.target, self.readings["actual"]) or ""
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


CAUSE_CHOICES = [("", "—")] + list(MonitoringCause.choices)


class IndicatorMonitoringForm(forms.Form):
    """One indicator's 绩效运行监控 (issue 16): the value at the monitoring month (监控期完成值) and
    the 全年预计完成值 as text, read exactly as the results form reads its values (a number with its
    unit and direction words, a date for a date target, a phrase), the 偏差原因 with its text, the
    完成目标可能性 and the 纠偏措施."""

    numbers_only = ("forecast",)
    midyear = value_text_field(gettext_lazy("监控期完成值"))
    forecast = value_text_field(gettext_lazy("全年预计完成值"))
    monitoring_cause = forms.ChoiceField(label=gettext_lazy("偏差原因"), required=False, choices=CAUSE_CHOICES)
    monitoring_cause_text = forms.CharField(
        label=gettext_lazy("偏差原因说明"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[refuse_control_characters],
    )
    likelihood = forms.ChoiceField(
        label=gettext_lazy("完成目标可能性"), required=False, choices=[("", "—")] + list(Indicator.Likelihood.choices)
    )
    monitoring_measures = forms.CharField(
        label=gettext_lazy("纠偏措施"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[refuse_control_characters],
    )

    _value = IndicatorResultsForm._value  # one reading of a value text for both forms

    def __init__(self, *args, indicator: Indicator, phrases: dict[str, str] | None = None, year: int | None = None, **kwargs):
        self.indicator = indicator
        self.qualitative = indicator.direction == Indicator.Direction.QUALITATIVE
        self.phrases = phrases
        self.year = indicator.department_year.year if year is None else year
        self.target = parse(indicator.target_text, year=self.year, phrases=phrases)
        self.texts: dict[str, str] = {}
        self.readings: dict[str, Parsed] = {}
        kwargs["initial"] = {
            "midyear": indicator.midyear_text or plain_number(indicator.midyear),
            "forecast": indicator.forecast_text or plain_number(indicator.forecast),
            "monitoring_cause": indicator.monitoring_cause,
            "monitoring_cause_text": indicator.monitoring_cause_text,
            "likelihood": indicator.likelihood,
            "monitoring_measures": indicator.monitoring_measures,
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)

    def clean_midyear(self):
        return self._value("midyear")

    def clean_forecast(self):
        return self._value("forecast")

    def clean(self):
        cleaned = super().clean()
        cleaned["midyear_text"] = self.texts.get("midyear", "")
        cleaned["forecast_text"] = self.texts.get("forecast", "")
        return cleaned


class ItemMonitoringForm(forms.Form):
    """An item's entries in the 项目支出绩效运行监控表 (issue 16)."""

    cause = forms.ChoiceField(label=gettext_lazy("偏差原因"), required=False, choices=CAUSE_CHOICES)
    cause_text = forms.CharField(
        label=gettext_lazy("偏差原因说明"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[refuse_control_characters],
    )
    needs_correction = forms.BooleanField(label=gettext_lazy("是否需要纠偏"), required=False)
    measures = forms.CharField(
        label=gettext_lazy("纠偏措施"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[refuse_control_characters],
    )


class MonitoringMonthForm(forms.Form):
    """The finance office's 监控月份 (issue 16)."""

    monitoring_month = forms.TypedChoiceField(
        label=gettext_lazy("监控月份"),
        choices=[(month, month) for month in range(1, 13)],
        coerce=int,
        error_messages={
            "required": gettext_lazy("监控月份须为1到12之间的整数"),
            "invalid_choice": gettext_lazy("监控月份须为1到12之间的整数"),
        },
    )


class EvidenceUploadForm(forms.Form):
    """上传佐证材料: the file, and optionally the indicator of the evaluation it proves. The file's
    own checks (type by content, size, count) are indicators.evidence's, with messages naming it."""

    file = forms.FileField(
        label=gettext_lazy("佐证材料"),
        allow_empty_file=True,  # refused by indicators.evidence, with a message naming the file
        error_messages={"required": gettext_lazy("请选择要上传的佐证材料文件")},
    )
    indicator = forms.ModelChoiceField(
        label=gettext_lazy("对应指标"),
        queryset=Indicator.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("（整个自评表）"),
        error_messages={"invalid_choice": gettext_lazy("所选绩效指标不属于本自评表")},
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["indicator"].label_from_instance = lambda indicator: f"{indicator.code} {indicator.name}"


class FormulaIndicatorForm(forms.Form):
    """A ledger formula picked into the department's evaluation (issue 16 item 5): its target as
    written (≥95%), its 分值, and levels and direction when they differ from the formula's."""

    formula = forms.CharField(max_length=32, widget=forms.HiddenInput)
    target_text = forms.CharField(
        label=gettext_lazy("年度指标值"), max_length=TEXT_VALUE_MAX, validators=[refuse_control_characters]
    )
    points = NumberField(
        label=gettext_lazy("分值"),
        max_digits=6,
        decimal_places=2,
        help_text=gettext_lazy("部门整体指标的分值须全部填写（合计90）或全部不填（按一级指标平均分配）"),
    )
    level1 = forms.ChoiceField(
        label=gettext_lazy("一级指标"), required=False, choices=[("", "—")] + list(Indicator.Level1.choices)
    )
    level2 = forms.CharField(
        label=gettext_lazy("二级指标"), required=False, max_length=32, validators=[refuse_control_characters]
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("指标方向"),
        required=False,
        choices=[("", "—")] + [choice for choice in Indicator.Direction.choices if choice[0] != Indicator.Direction.QUALITATIVE],
    )
