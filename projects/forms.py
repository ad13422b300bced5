"""Forms of the ledger pages. They parse and validate input; the services decide."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from fundmgr.lib.validators import has_control_characters, refuse_control_characters
from projects.models import BudgetItem, BudgetLine, EconomicClass, Expenditure

# Plain half-width digits, optional ASCII thousands separators, at most 2 decimals is checked apart.
PLAIN_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$", re.ASCII)
MAX_AMOUNT = Decimal("99999999999999.99")  # DecimalField(max_digits=16, decimal_places=2)


def parse_amount(text: str) -> Decimal:
    """Yuan typed by a person: '1234.5', '1,234.56'. Refuses NaN, inf, exponents, full-width
    digits, signs, more than 2 decimals and anything not above zero, each with its own message."""
    text = (text or "").strip()
    if not text:
        raise forms.ValidationError(_("请填写金额"), code="required")
    if not text.isascii():
        raise forms.ValidationError(_("金额请使用半角数字，例如 1234.56"), code="full_width")
    if text.startswith("-"):
        raise forms.ValidationError(_("金额须大于0"), code="not_positive")
    if text.startswith("+"):
        text = text[1:]
    if not PLAIN_NUMBER.match(text):
        raise forms.ValidationError(_("金额须为普通数字，例如 1234.56（不接受科学计数法、NaN 或无穷大）"), code="not_number")
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise forms.ValidationError(_("金额须为普通数字，例如 1234.56"), code="not_number") from None
    if amount > MAX_AMOUNT:  # before rounding: quantizing 27 digits to cents overflows the decimal context
        raise forms.ValidationError(_("金额过大，不能超过 99,999,999,999,999.99 元"), code="too_large")
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise forms.ValidationError(_("金额最多保留两位小数（分）"), code="decimals")
    amount = amount.quantize(Decimal("0.01"))
    if amount <= Decimal("0"):
        raise forms.ValidationError(_("金额须大于0"), code="not_positive")
    if amount > MAX_AMOUNT:
        raise forms.ValidationError(_("金额过大，不能超过 99,999,999,999,999.99 元"), code="too_large")
    return amount


class AmountField(forms.CharField):
    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        return parse_amount(value)

    def validate(self, value):
        pass


class EconomicClassField(forms.CharField):
    """An economic class typed or picked from a <datalist>: '30201', '30201 办公费' or '办公费'."""

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            raise forms.ValidationError(_("请选择经济分类"), code="required")
        if has_control_characters(text) or len(text) > 200:  # PostgreSQL refuses NUL in a query
            raise forms.ValidationError(_("未找到该经济分类，请输入编码或名称"), code="invalid")
        code = text.split()[0]
        found = EconomicClass.objects.filter(code=code).first() or EconomicClass.objects.filter(name=text).first()
        if found is None:
            raise forms.ValidationError(_("未找到经济分类“%(value)s”，请输入编码或名称"), params={"value": text}, code="invalid")
        return found

    def validate(self, value):
        pass

    def prepare_value(self, value):
        if isinstance(value, EconomicClass):
            return f"{value.code} {value.name}"
        if value and not isinstance(value, str):
            found = EconomicClass.objects.filter(pk=value).first()
            return f"{found.code} {found.name}" if found else value
        return value


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, item):
        return f"{item.code} {item.name}"


class ExpenditureForm(forms.Form):
    """Entry form. `items` is the queryset the user may spend on (their unit, this open year)."""

    item = ItemChoiceField(label=_("预算项目"), queryset=BudgetItem.objects.none(), empty_label=_("请选择项目"))
    date = forms.DateField(label=_("支出日期"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = AmountField(label=_("金额（元）"))
    economic_class = EconomicClassField(
        label=_("经济分类"), widget=forms.TextInput(attrs={"list": "economic-classes", "autocomplete": "off"})
    )
    # max_length is the model column's, so PostgreSQL never sees an over-long value.
    memo = forms.CharField(
        label=_("摘要"),
        max_length=Expenditure._meta.get_field("memo").max_length,
        required=False,
        validators=[refuse_control_characters],
    )
    voucher = forms.CharField(
        label=_("凭证号"),
        max_length=Expenditure._meta.get_field("voucher").max_length,
        required=False,
        validators=[refuse_control_characters],
    )
    procurement_method = forms.ChoiceField(label=_("采购方式"), choices=Expenditure.Procurement.choices, required=False)

    def __init__(self, *args, items, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_item = item
        if item is not None:  # editing: the item does not change
            del self.fields["item"]
        else:
            self.fields["item"].queryset = items

    def clean(self):
        cleaned = super().clean()
        item = self.fixed_item or cleaned.get("item")
        if item is not None and item.procurement_required and not cleaned.get("procurement_method"):
            self.add_error("procurement_method", _("该项目须政府采购，请选择采购方式"))
        return cleaned


class BudgetLineForm(forms.Form):
    """Mid-year budget lines entered by the finance office; initial budgets come from the workbook."""

    KINDS = [
        (BudgetLine.Kind.ADDITION, BudgetLine.Kind.ADDITION.label),
        (BudgetLine.Kind.REDUCTION, BudgetLine.Kind.REDUCTION.label),
        (BudgetLine.Kind.CARRYOVER, BudgetLine.Kind.CARRYOVER.label),
    ]

    item = ItemChoiceField(label=_("预算项目"), queryset=BudgetItem.objects.none(), empty_label=_("请选择项目"))
    kind = forms.ChoiceField(label=_("调整类型"), choices=KINDS)
    source = forms.ChoiceField(label=_("资金来源"), choices=BudgetLine.Source.choices)
    amount = AmountField(label=_("金额（元）"))
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.CharField(
        label=_("文号"), max_length=BudgetLine._meta.get_field("document").max_length, validators=[refuse_control_characters]
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class ApproveForm(forms.Form):
    meeting_date = forms.DateField(label=_("党组会日期"), widget=forms.DateInput(attrs={"type": "date"}))
    minutes_number = forms.CharField(
        label=_("会议纪要号"),
        max_length=Expenditure._meta.get_field("minutes_number").max_length,
        validators=[refuse_control_characters],
    )

    def clean_meeting_date(self):
        value = self.cleaned_data["meeting_date"]
        if value > date.today():
            raise forms.ValidationError(_("党组会日期不能晚于今天"))
        return value


class RejectForm(forms.Form):
    rejection_reason = forms.CharField(
        label=_("驳回理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[refuse_control_characters],
    )
