import django_filters
from django.utils.translation import gettext_lazy as _

from projects.models import BudgetItem, Expenditure


class ItemFilter(django_filters.FilterSet):
    """Narrows a unit's item table; applied only when a filter is given."""

    code = django_filters.CharFilter(label=_("项目编码"), lookup_expr="icontains")
    name = django_filters.CharFilter(label=_("项目名称"), lookup_expr="icontains")
    category = django_filters.ChoiceFilter(label=_("项目类别"), choices=BudgetItem.Category.choices)

    class Meta:
        model = BudgetItem
        fields = ["code", "name", "category"]


class ExpenditureFilter(django_filters.FilterSet):
    """An item's (or a unit's) expenditures, by date range, status, economic class and memo."""

    date = django_filters.DateFromToRangeFilter(label=_("支出日期"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Expenditure.Status.choices)
    economic_class = django_filters.CharFilter(label=_("经济分类"), field_name="economic_class_id", lookup_expr="startswith")
    memo = django_filters.CharFilter(label=_("摘要"), lookup_expr="icontains")

    class Meta:
        model = Expenditure
        fields = ["date", "status", "economic_class", "memo"]
