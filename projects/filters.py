import django_filters
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.models import BudgetItem, Expenditure


def _month_label(month: int) -> str:
    return gettext("%(month)s月") % {"month": month}


# Lazy: formatting a lazy string at import time would freeze it in the default language.
MONTHS = [(month, lazy(_month_label, str)(month)) for month in range(1, 13)]


class ExpenditureFilter(django_filters.FilterSet):
    """The unit's expenditure list: item, month, economic class (code prefix), status, free text."""

    item = django_filters.ModelChoiceFilter(label=_("预算项目"), queryset=BudgetItem.objects.none())
    month = django_filters.ChoiceFilter(label=_("月份"), choices=MONTHS, field_name="date", lookup_expr="month")
    economic_class = django_filters.CharFilter(
        label=_("经济分类"), field_name="economic_class__code", lookup_expr="startswith"
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Expenditure.Status.choices)
    text = django_filters.CharFilter(label=_("摘要/凭证号"), method="filter_text")

    class Meta:
        model = Expenditure
        fields = ["item", "month", "economic_class", "status", "text"]

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["item"].queryset = items

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(memo__icontains=value) | Q(voucher__icontains=value))


class ItemFilter(django_filters.FilterSet):
    """Narrows a unit dashboard's item table; applied only when a filter is given."""

    code = django_filters.CharFilter(label=_("项目编码"), lookup_expr="icontains")
    name = django_filters.CharFilter(label=_("项目名称"), lookup_expr="icontains")
    category = django_filters.ChoiceFilter(label=_("项目类别"), choices=BudgetItem.Category.choices)

    class Meta:
        model = BudgetItem
        fields = ["code", "name", "category"]


class ItemExpenditureFilter(django_filters.FilterSet):
    """One item's expenditures on its dashboard page: date range, status, economic class, memo.
    No choice of item, so the form costs no query."""

    date = django_filters.DateFromToRangeFilter(label=_("支出日期"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Expenditure.Status.choices)
    # The code, not the foreign key: "startswith" is no lookup of a ForeignKey (a 500 whatever was typed).
    economic_class = django_filters.CharFilter(label=_("经济分类"), field_name="economic_class__code", lookup_expr="startswith")
    memo = django_filters.CharFilter(label=_("摘要"), lookup_expr="icontains")

    class Meta:
        model = Expenditure
        fields = ["date", "status", "economic_class", "memo"]
