from django.views.generic import TemplateView

from fundmgr.access import department_scope, unit_in_scope
from fundmgr.dashboard import unit_dashboard
from fundmgr.table_exports import expenditures_xlsx
from fundmgr.tables import paginate
from fundmgr.views import DashboardMixin
from projects.filters import ItemFilter
from projects.models import BudgetItem, Expenditure
from projects.tables import LAGGING_PER_PAGE, IndicatorStatusTable, ItemTable, LaggingTable


class UnitDetailView(DashboardMixin, TemplateView):
    """A unit's dashboard: the same cards and charts for its scope, its items, lagging items and indicators."""

    template_name = "units/unit_detail.html"

    def get(self, request, *args, **kwargs):
        scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        unit = unit_in_scope(scope, kwargs["unit_code"])
        department_year = scope.department_year
        month = self.month(department_year.year)
        dashboard = unit_dashboard(department_year=department_year, unit=unit, month=month)
        items = dashboard.items
        item_filter = ItemFilter(request.GET or None, queryset=BudgetItem.objects.filter(department_year=department_year, unit=unit))
        if item_filter.is_bound and any(request.GET.get(name) for name in item_filter.form.fields):
            wanted = set(item_filter.qs.values_list("id", flat=True))
            items = [item for item in items if item.id in wanted]
        item_table = ItemTable(
            items, totals=dashboard.totals, progress=dashboard.progress, month=month, department_year=department_year, prefix="i-"
        )
        item_table.order_by = request.GET.get("i-sort")
        lagging_table = LaggingTable(dashboard.lagging, prefix="lag-")
        paginate(lagging_table, page=request.GET.get("lag-page"), per_page=LAGGING_PER_PAGE)
        indicator_table = IndicatorStatusTable(dashboard.indicators)
        export = self.exported(
            {"items": item_table, "lagging": lagging_table, "indicators": indicator_table},
            filename=f"{department_year.department.code}-{department_year.year}-{unit.code}",
        )
        if export is not None:
            return export
        return self.render_to_response(
            self.get_context_data(
                scope=scope,
                department_year=department_year,
                unit=unit,
                dashboard=dashboard,
                item_filter=item_filter,
                item_table=item_table,
                lagging_table=lagging_table,
                indicator_table=indicator_table,
            )
        )


class UnitExpendituresExportView(DashboardMixin, TemplateView):
    """Every expenditure of a unit in the department-year, streamed to xlsx."""

    def get(self, request, *args, **kwargs):
        scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        unit = unit_in_scope(scope, kwargs["unit_code"])
        expenditures = Expenditure.objects.filter(item__department_year=scope.department_year, item__unit=unit)
        return expenditures_xlsx(
            expenditures,
            filename=f"{scope.department_year.department.code}-{scope.department_year.year}-{unit.code}-expenditures.xlsx",
            user=request.user,
        )
