from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from units.access import Scope
from units.models import BudgetUnit, DepartmentYear


class ExpenditureDetailForm(forms.Form):
    """Scope and date range of the expenditure detail. An accountant's unit is fixed to their own."""

    unit = forms.ChoiceField(label=_("预算单位"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.units = {
            unit.code: unit
            for unit in BudgetUnit.objects.filter(department_id=scope.department_year.department_id).order_by("position", "code")
            if scope.sees_unit(unit.id)
        }
        choices = [(code, unit.name) for code, unit in self.units.items()]
        if not scope.is_accountant:
            choices.insert(0, ("", _("全部门")))
        self.fields["unit"].choices = choices
        if scope.is_accountant and self.is_bound:
            # An accountant's detail is always their own unit's, whatever the query string says.
            self.data = self.data.copy()
            self.data["unit"] = choices[0][0] if choices else ""

    def clean_unit(self) -> BudgetUnit | None:
        code = self.cleaned_data.get("unit")
        return self.units.get(code) if code else None

    def clean(self):
        cleaned = super().clean()
        year = self.scope.department_year.year
        for name in ("date_from", "date_to"):
            value = cleaned.get(name)
            if value and value.year != year:
                self.add_error(name, _("日期须在%(year)s年度内") % {"year": year})
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return cleaned

    @staticmethod
    def year_bounds(year: int) -> tuple[date, date]:
        return date(year, 1, 1), date(year, 12, 31)


class NarrativeForm(forms.ModelForm):
    """The report's narrative sections, written by the finance office."""

    class Meta:
        model = DepartmentYear
        fields = ["duties", "key_work", "problems", "measures"]
        widgets = {name: forms.Textarea(attrs={"rows": 10, "cols": 100}) for name in fields}
        help_texts = {
            "duties": _("报告“一、(一)一是主要职能及主要职责”。每行一段。"),
            "key_work": _("报告“一、(二)部门单位年度重点工作”。"),
            "problems": _("报告“五、存在的主要问题及原因分析”。"),
            "measures": _("报告“六、改进措施和建议”。"),
        }
