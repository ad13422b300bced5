import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import BudgetItem, Expenditure

MONTHS = [(month, _("%(month)s月") % {"month": month}) for month in range(1, 13)]


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
