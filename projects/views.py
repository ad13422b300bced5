from django.views.generic import TemplateView

from fundmgr.access import department_scope, item_in_scope
from fundmgr.dashboard import item_dashboard
from fundmgr.table_exports import expenditures_xlsx
from fundmgr.tables import paginate
from fundmgr.views import DashboardMixin
from projects.filters import ItemExpenditureFilter
from projects.models import BudgetLine, Expenditure
from projects.tables import BudgetLineTable, ExpenditureTable, IndicatorStatusTable


class ItemDetailView(DashboardMixin, TemplateView):
    """A budget item: the same cards and charts for its scope, its budget lines and its expenditures."""

    template_name = "projects/item_detail.html"

    def get(self, request, *args, **kwargs):
        scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        item = item_in_scope(scope, kwargs["item_code"])
        department_year = scope.department_year
        month = self.month(department_year.year)
        dashboard = item_dashboard(department_year=department_year, item=item, month=month)
        lines = BudgetLineTable(list(BudgetLine.objects.filter(item=item).order_by("date", "id")))
        expenditure_filter = ItemExpenditureFilter(request.GET or None, queryset=Expenditure.objects.filter(item=item))
        expenditures = expenditure_filter.qs.order_by("-date", "-id")
        if request.GET.get("_export") == "xlsx" and request.GET.get("table") == "expenditures":
            return expenditures_xlsx(
                expenditures,
                filename=f"{department_year.department.code}-{department_year.year}-{item.code}-expenditures.xlsx",
                user=request.user,
            )
        expenditure_table = ExpenditureTable(expenditures)
        paginate(expenditure_table, page=request.GET.get("page"), per_page=50)
        indicator_table = IndicatorStatusTable(dashboard.indicators)
        export = self.exported(
            {"lines": lines, "indicators": indicator_table},
            filename=f"{department_year.department.code}-{department_year.year}-{item.code}",
        )
        if export is not None:
            return export
        return self.render_to_response(
            self.get_context_data(
                scope=scope,
                department_year=department_year,
                item=item,
                dashboard=dashboard,
                lines=lines,
                expenditure_filter=expenditure_filter,
                expenditures=expenditure_table,
                indicator_table=indicator_table,
            )
        )
