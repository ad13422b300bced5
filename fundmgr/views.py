from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import TemplateView
from django.contrib.auth.mixins import LoginRequiredMixin

from fundmgr.access import department_scope, home_department_year
from projects.selectors import budget_summary
from units.tables import UnitTable


@login_required
def home(request):
    department_year = home_department_year(request.user)
    if department_year is None:
        return render(request, "fundmgr/no_access.html", status=200)
    return redirect(
        reverse("department", kwargs={"department_code": department_year.department.code, "year": department_year.year})
    )


class DepartmentOverviewView(LoginRequiredMixin, TemplateView):
    """部门总览: every unit's full-year budget, spending and execution rate, in 万元."""

    template_name = "fundmgr/department_overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = department_scope(self.request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        summary = budget_summary(department_year=scope.department_year)
        units = [unit for unit in summary.by_unit if scope.sees_unit(unit.id)]
        totals = summary.totals if scope.unit_id is None else units[0].figures
        table = UnitTable(units, totals=totals, department_year=scope.department_year)
        context.update(scope=scope, department_year=scope.department_year, summary=summary, totals=totals, table=table)
        return context
