from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from fundmgr.access import department_scope, item_in_scope
from projects.models import BudgetItem, BudgetLine, Expenditure
from projects.selectors import figures_of, items_with_figures
from projects.tables import BudgetLineTable, ExpenditureTable


class ItemDetailView(LoginRequiredMixin, TemplateView):
    """A budget item: its figures, its budget lines and its spending."""

    template_name = "projects/item_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = department_scope(self.request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        item = item_in_scope(scope, kwargs["item_code"])
        row = items_with_figures(BudgetItem.objects.filter(pk=item.pk)).get()
        figures = figures_of(row)
        lines = BudgetLineTable(list(BudgetLine.objects.filter(item=item).order_by("date", "id")))
        expenditures = ExpenditureTable(
            Expenditure.objects.filter(item=item).select_related("economic_class").order_by("-date", "-id")
        )
        expenditures.paginate(page=self.request.GET.get("page", 1), per_page=50)
        context.update(
            scope=scope,
            department_year=scope.department_year,
            item=item,
            figures=figures,
            lines=lines,
            expenditures=expenditures,
        )
        return context
