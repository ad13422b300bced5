"""Forms of the ledger pages. They parse and validate input; the services decide."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from fundmgr.lib.validators import has_control_characters, refuse_control_characters
from projects.models import BudgetItem, BudgetLine, BudgetTransfer, EconomicClass, Expenditure

# Plain half-width digits, optional ASCII thousands separators, at most 2 decimals is checked apart.
PLAIN_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$", re.ASCII)
MAX_AMOUNT = Decimal("99999999999999.99")  # DecimalField(max_digits=16, decimal_places=2)
# <input type="date"> takes only ISO dates: the zh-hans format (2024/07/01) would leave it blank.
DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


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
    """The economic subclass (款), picked from a select grouped by class (类).

    The select posts the 5-digit code; a code typed with its name ('30201 办公费') or the name
    alone ('办公费') is read too, as the workbook and older clients send them."""

    widget = forms.Select

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            raise forms.ValidationError(_("请选择经济分类"), code="required")
        if has_control_characters(text) or len(text) > 200:  # PostgreSQL refuses NUL in a query
            raise forms.ValidationError(_("未找到该经济分类，请输入编码或名称"), code="invalid")
        code = text.split()[0]
        found = EconomicClass.objects.filter(code=code).first() or self._by_name(text)
        if found is None:
            raise forms.ValidationError(_("未找到经济分类“%(value)s”，请输入编码或名称"), params={"value": text}, code="invalid")
        if found.parent_id is None:
            raise forms.ValidationError(
                _("“%(value)s”是经济分类的类，请选择其下的款（5位编码）"), params={"value": str(found)}, code="not_subclass"
            )
        return found

    @staticmethod
    def _by_name(text: str) -> EconomicClass | None:
        """The subclass of that name. Some names recur under two classes of the full list (办公设备购置
        is 30902 under 309 and 31002 under 310): such a name alone is refused, naming the codes."""
        named = list(EconomicClass.objects.filter(name=text))
        subclasses = [economic_class for economic_class in named if economic_class.parent_id is not None]
        if len(subclasses) > 1:
            raise forms.ValidationError(
                _("经济分类名称“%(value)s”对应多个编码（%(codes)s），请选择或输入编码"),
                params={"value": text, "codes": _("、").join(economic_class.code for economic_class in subclasses)},
                code="ambiguous",
            )
        return subclasses[0] if subclasses else (named[0] if named else None)

    def validate(self, value):
        pass

    def prepare_value(self, value):
        # The select's options are keyed by code.
        if isinstance(value, EconomicClass):
            return value.code
        if isinstance(value, str) and value.strip():
            return value.split()[0]
        return value


def economic_class_choices() -> tuple[list, dict[str, list]]:
    """The classes (类) as select choices, and each class's subclasses (款) by class code (one query)."""
    classes, subclasses = [], {}
    for economic_class in EconomicClass.objects.order_by("code"):
        if economic_class.parent_id is None:
            classes.append((economic_class.code, str(economic_class)))
            subclasses.setdefault(economic_class.code, [])
        else:
            subclasses.setdefault(economic_class.parent_id, []).append((economic_class.code, str(economic_class)))
    return classes, subclasses


def economic_subclass_choices(classes: list, subclasses: dict[str, list], class_code: str = "") -> list:
    """The subclass select's options: those of `class_code`, or all of them grouped by class (<optgroup>)."""
    empty = [("", _("请选择经济分类"))]
    if class_code in subclasses:
        return empty + subclasses[class_code]
    return empty + [(label, subclasses[code]) for code, label in classes if subclasses[code]]


class RequiredMessagesMixin:
    """A missing field says what to fill in, in Chinese: "请填写金额", "请选择预算项目".

    The message names the field by its label, or by `required_names` where the label carries a
    unit ("金额（元）" is asked for as "金额"). Pickers (selects) ask to choose, the rest to fill in.
    """

    required_names: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = self.required_names.get(name, field.label)
            if isinstance(field.widget, (forms.Select, forms.RadioSelect)):
                message = _("请选择%(field)s") % {"field": label}
            else:
                message = _("请填写%(field)s") % {"field": label}
            field.error_messages["required"] = message


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, item):
        return f"{item.code} {item.name}"


class ExpenditureForm(RequiredMessagesMixin, forms.Form):
    """Entry form. `items` is the queryset the user may spend on (their unit, this open year).

    The economic classification is picked in two steps: the class (类), then its subclass (款).
    Without JavaScript the subclass select lists every subclass grouped by class; with htmx,
    choosing a class refreshes it to that class's subclasses (projects.views.entry).
    """

    required_names = {"amount": _("金额")}

    item = ItemChoiceField(label=_("预算项目"), queryset=BudgetItem.objects.none(), empty_label=_("请选择项目"))
    date = forms.DateField(label=_("支出日期"), widget=DATE_INPUT)
    amount = AmountField(label=_("金额（元）"))
    economic_class_parent = forms.ChoiceField(
        label=_("经济分类（类）"),
        required=False,
        error_messages={"invalid_choice": _("请从列表中选择经济分类的类")},
    )
    economic_class = EconomicClassField(label=_("经济分类（款）"))
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
        classes, subclasses = economic_class_choices()
        self.fields["economic_class_parent"].choices = [("", _("全部"))] + classes
        chosen = self["economic_class_parent"].value() or ""
        self.fields["economic_class"].widget.choices = economic_subclass_choices(classes, subclasses, str(chosen))

    def clean(self):
        cleaned = super().clean()
        item = self.fixed_item or cleaned.get("item")
        if item is not None and item.procurement_required and not cleaned.get("procurement_method"):
            self.add_error("procurement_method", _("该项目须政府采购，请选择采购方式"))
        parent, economic_class = cleaned.get("economic_class_parent"), cleaned.get("economic_class")
        if parent and economic_class is not None and economic_class.parent_id != parent:
            self.add_error(
                "economic_class",
                _("经济分类“%(subclass)s”不属于所选的类“%(parent)s”，请重新选择")
                % {"subclass": str(economic_class), "parent": dict(self.fields["economic_class_parent"].choices)[parent]},
            )
        return cleaned


class BudgetLineForm(RequiredMessagesMixin, forms.Form):
    """Mid-year budget lines entered by the finance office; initial budgets come from the workbook."""

    required_names = {"amount": _("金额")}

    KINDS = [
        (BudgetLine.Kind.ADDITION, BudgetLine.Kind.ADDITION.label),
        (BudgetLine.Kind.REDUCTION, BudgetLine.Kind.REDUCTION.label),
        (BudgetLine.Kind.CARRYOVER, BudgetLine.Kind.CARRYOVER.label),
    ]

    item = ItemChoiceField(label=_("预算项目"), queryset=BudgetItem.objects.none(), empty_label=_("请选择项目"))
    kind = forms.ChoiceField(label=_("调整类型"), choices=KINDS)
    source = forms.ChoiceField(label=_("资金来源"), choices=BudgetLine.Source.choices)
    amount = AmountField(label=_("金额（元）"))
    date = forms.DateField(label=_("日期"), widget=DATE_INPUT)
    document = forms.CharField(
        label=_("文号"), max_length=BudgetLine._meta.get_field("document").max_length, validators=[refuse_control_characters]
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class ApproveForm(forms.Form):
    meeting_date = forms.DateField(label=_("党组会日期"), widget=DATE_INPUT)
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


class BatchApproveForm(ApproveForm):
    """Several expenditures approved under one meeting record (党组会日期, 纪要号). The choices are
    the scope's expenditures, decided or not: the service refuses a decided one with its reason."""

    expenditures = forms.ModelMultipleChoiceField(
        queryset=Expenditure.objects.none(),
        error_messages={
            "required": _("请至少勾选一笔待审批的支出"),
            "invalid_choice": _("所选支出不存在或已被删除，请刷新页面"),
            "invalid_pk_value": _("所选支出不存在或已被删除，请刷新页面"),
        },
    )

    def __init__(self, *args, expenditures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expenditures"].queryset = expenditures


# --- 用款计划, 预算调剂, 年终结转 (DOMAIN.md section 8) ---


def parse_plan_amount(text: str) -> Decimal | None:
    """One month of a spending plan, by parse_amount's rules but for 0 (a month with nothing
    planned) and a blank (no plan row for the month): None."""
    text = (text or "").strip()
    if not text:
        return None
    if text.startswith("-"):
        raise forms.ValidationError(_("计划金额不能为负数"), code="negative")
    try:
        return parse_amount(text)
    except forms.ValidationError as error:
        if error.code == "not_positive":  # only 0 is left to refuse here: it is a valid plan
            return Decimal("0.00")
        raise


class PlanAmountField(forms.CharField):
    """A month's amount in the plan grid; a refusal names the month (its label, "3月")."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "data-plan-month": ""})

    def to_python(self, value):
        try:
            return parse_plan_amount(value)
        except forms.ValidationError as error:
            raise forms.ValidationError(
                _("%(month)s：%(message)s") % {"month": self.label, "message": error.messages[0]}, code=error.code
            ) from None

    def validate(self, value):
        pass

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        return value


class PlanForm(forms.Form):
    """用款计划 of one item: the twelve months in one grid. A blank month has no plan row; a plan
    left all blank puts the item back on the linear 序时进度 (projects.services.plan_set)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for month in range(1, 13):
            self.fields[f"month_{month}"] = PlanAmountField(label=_("%(month)s月") % {"month": month}, required=False)

    def month_fields(self):
        return [self[f"month_{month}"] for month in range(1, 13)]

    def amounts(self) -> dict[int, Decimal]:
        """The filled months, {month: amount}, as plan_set takes them."""
        return {
            month: self.cleaned_data[f"month_{month}"]
            for month in range(1, 13)
            if self.cleaned_data.get(f"month_{month}") is not None
        }


class TransferForm(RequiredMessagesMixin, forms.Form):
    """预算调剂 entered by the finance office; projects.services.transfer_create decides."""

    required_names = {"amount": _("金额")}

    from_item = ItemChoiceField(label=_("调出项目"), queryset=BudgetItem.objects.none(), empty_label=_("请选择项目"))
    to_item = ItemChoiceField(label=_("调入项目"), queryset=BudgetItem.objects.none(), empty_label=_("请选择项目"))
    source = forms.ChoiceField(label=_("资金来源"), choices=BudgetLine.Source.choices)
    amount = AmountField(label=_("金额（元）"))
    date = forms.DateField(label=_("日期"), widget=DATE_INPUT)
    document = forms.CharField(
        label=_("文号"),
        max_length=BudgetTransfer._meta.get_field("document").max_length,
        required=False,
        validators=[refuse_control_characters],
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_item"].queryset = items
        self.fields["to_item"].queryset = items
        invalid = _("所选项目不存在或不属于该部门年度，请重新选择")
        self.fields["from_item"].error_messages["invalid_choice"] = invalid
        self.fields["to_item"].error_messages["invalid_choice"] = invalid


CARRY, LAPSE = "carry", "lapse"


class YearCloseForm(forms.Form):
    """年终结转: carry over (结转) or let lapse (结余) each item with an unspent balance. `rows` are
    (item id, code, default) triples; the fields are named by item id, since a code may hold
    characters a field name should not."""

    FATES = [(CARRY, _("结转")), (LAPSE, _("结余"))]

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = {}
        for item_id, code, default in rows:
            name = f"fate-{item_id}"
            self.fields[name] = forms.ChoiceField(
                label=code,
                choices=self.FATES,
                initial=default,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("请选择项目%(code)s结转或结余") % {"code": code},
                    "invalid_choice": _("项目%(code)s只能选择结转或结余") % {"code": code},
                },
            )
            self.codes[name] = code

    def choices(self) -> tuple[set[str], set[str]]:
        """The item codes chosen to carry over and to lapse, as close_year's overrides."""
        carry = {code for name, code in self.codes.items() if self.cleaned_data[name] == CARRY}
        lapse = {code for name, code in self.codes.items() if self.cleaned_data[name] == LAPSE}
        return carry, lapse
