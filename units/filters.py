import django_filters
from django.utils.translation import gettext_lazy as _

from units.models import BudgetUnit


class UnitFilter(django_filters.FilterSet):
    """Narrows the dashboard's unit table; applied only when a filter is given, so the plain page
    costs no query for it."""

    name = django_filters.CharFilter(label=_("单位名称"), lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label=_("单位性质"), choices=BudgetUnit.Kind.choices)

    class Meta:
        model = BudgetUnit
        fields = ["name", "kind"]
