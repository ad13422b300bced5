from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from fundmgr.access import department_scope, home_department_year, province_department_ids
from fundmgr.dashboard import as_of_month, department_dashboard, province_rows
from fundmgr.table_exports import table_xlsx
from fundmgr.tables import ProvinceTable, paginate
from projects.tables import LAGGING_PER_PAGE, IndicatorStatusTable, LaggingTable
from units.filters import UnitFilter
from units.models import BudgetUnit, Membership
from units.tables import UnitTable

EXPORT_PARAM = "_export"


@login_required
def home(request):
    """The dashboard of the user's department for the latest year, or of their unit for an accountant."""
    department_year = home_department_year(request.user)
    if department_year is None:
        return render(request, "fundmgr/no_access.html", status=200)
    kwargs = {"department_code": department_year.department.code, "year": department_year.year}
    membership = None
    if not request.user.is_superuser:
        membership = (
            Membership.objects.filter(user=request.user, department_id=department_year.department_id).select_related("unit").first()
        )
    if membership is not None and membership.role == Membership.Role.ACCOUNTANT:
        return redirect(reverse("units:detail", kwargs={**kwargs, "unit_code": membership.unit.code}))
    return redirect(reverse("department", kwargs=kwargs))


def today():
    return timezone.localdate()


class DashboardMixin(LoginRequiredMixin):
    """Scope and as-of month of a dashboard page; `?_export=xlsx&table=<name>` answers with that table."""

    def month(self, year: int) -> int:
        return as_of_month(self.request.GET.get("asof"), year=year, today=today())

    def exported(self, tables: dict, *, filename: str):
        name = self.request.GET.get("table")
        if self.request.GET.get(EXPORT_PARAM) == "xlsx" and name in tables:
            return table_xlsx(tables[name], filename=f"{filename}-{name}.xlsx", title=name, user=self.request.user)
        return None


class DepartmentDashboardView(DashboardMixin, TemplateView):
    """部门驾驶舱: cards, charts, units, lagging items and indicators as of a month's end (issue 5).

    An accountant sees the same page for their own unit only: they are sent there.
    """

    template_name = "fundmgr/department_dashboard.html"

    def get(self, request, *args, **kwargs):
        scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        department_year = scope.department_year
        month = self.month(department_year.year)
        if scope.unit_id is not None:
            unit = BudgetUnit.objects.get(pk=scope.unit_id)
            path = reverse("units:detail", kwargs={**kwargs, "unit_code": unit.code})
            return redirect(f"{path}?asof={department_year.year}-{month:02d}")
        dashboard = department_dashboard(department_year=department_year, month=month)
        units = dashboard.units
        unit_filter = UnitFilter(
            request.GET or None, queryset=BudgetUnit.objects.filter(department_id=department_year.department_id)
        )
        if unit_filter.is_bound and any(request.GET.get(name) for name in unit_filter.form.fields):
            wanted = set(unit_filter.qs.values_list("id", flat=True))
            units = [unit for unit in units if unit.id in wanted]
        table_options = {"progress": dashboard.progress, "month": month, "department_year": department_year}
        unit_table = UnitTable(units, totals=dashboard.totals, prefix="u-", **table_options)
        unit_table.order_by = request.GET.get("u-sort")
        lagging_table = LaggingTable(dashboard.lagging, prefix="lag-")
        paginate(lagging_table, page=request.GET.get("lag-page"), per_page=LAGGING_PER_PAGE)
        indicator_table = IndicatorStatusTable(dashboard.indicators)
        export = self.exported(
            {"units": unit_table, "lagging": lagging_table, "indicators": indicator_table},
            filename=f"{department_year.department.code}-{department_year.year}-{month:02d}",
        )
        if export is not None:
            return export
        return self.render_to_response(
            self.get_context_data(
                scope=scope,
                department_year=department_year,
                dashboard=dashboard,
                unit_filter=unit_filter,
                unit_table=unit_table,
                lagging_table=lagging_table,
                indicator_table=indicator_table,
            )
        )


class ProvinceView(DashboardMixin, TemplateView):
    """省级总览: every department of a year side by side, for the finance bureau (issue 5)."""

    template_name = "fundmgr/province.html"

    def get(self, request, *args, **kwargs):
        department_ids = province_department_ids(request.user)
        year = kwargs["year"]
        month = self.month(year)
        rows = province_rows(year=year, month=month, department_ids=department_ids)
        table = ProvinceTable(rows, order_by=request.GET.get("sort"))
        export = self.exported({"departments": table}, filename=f"province-{year}-{month:02d}")
        if export is not None:
            return export
        return self.render_to_response(
            self.get_context_data(
                year=year,
                month=month,
                asof_param=f"{year}-{month:02d}",
                months=[(f"{year}-{m:02d}", _("%(month)d月") % {"month": m}) for m in range(1, 13)],
                table=table,
                rows=rows,
            )
        )
