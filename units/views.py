from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from fundmgr.access import department_scope, unit_in_scope
from projects.models import BudgetItem
from projects.selectors import Figures, figures_of, items_with_figures
from projects.tables import ItemTable


class UnitDetailView(LoginRequiredMixin, TemplateView):
    """A unit's budget items with their figures."""

    template_name = "units/unit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = department_scope(self.request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        unit = unit_in_scope(scope, kwargs["unit_code"])
        items = list(
            items_with_figures(
                BudgetItem.objects.filter(department_year=scope.department_year, unit=unit).order_by("position", "code")
            )
        )
        totals = Figures()
        for item in items:
            totals.add(figures_of(item))
        table = ItemTable(items, totals=totals, department_year=scope.department_year)
        context.update(scope=scope, department_year=scope.department_year, unit=unit, totals=totals, table=table)
        return context
