"""The dashboard pages: home, department, unit, item and province (DOMAIN.md section 2).

Each fetches through units.access (404 outside the user's membership), builds its figures with
fundmgr.dashboards.builder (fundmgr.dashboards.province for the province), and answers
`?_export=xlsx&table=<name>` with that table. The department, unit and item pages share one
view, ScopeDashboardView; each says only what its scope adds.
"""

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from fundmgr import alerts
from fundmgr.dashboards.builder import Dashboard, as_of_month, cached_dashboard
from fundmgr.dashboards.province import province_rows
from fundmgr.dashboards.tables import (
    LAGGING_PER_PAGE,
    AlertTable,
    IndicatorStatusTable,
    ItemTable,
    LaggingTable,
    ProvinceTable,
    UnitTable,
)
from fundmgr.dashboards.versions import item_version, province_version, unit_version
from fundmgr.exports.expenditures import ExpenditureScope
from fundmgr.exports.tables import expenditures_xlsx, table_xlsx
from fundmgr.lib.columns import paginate
from fundmgr.lib.pagecache import CachedContent, cache_key, page_content, query_string
from indicators.selectors import is_scored
from projects.arithmetic import month_end
from projects.filters import ItemExpenditureFilter, ItemFilter
from projects.models import BudgetItem, BudgetLine, Expenditure
from projects.selectors import budget_summary_at_month, item_in_scope, item_transfers
from projects.tables import BudgetLineTable, ExpenditureTable
from units.access import (
    Scope,
    department_scope,
    home_department_year,
    home_unit,
    may_compare_departments,
    openable_department_ids,
    province_department_ids,
    unit_in_scope,
)
from units.filters import UnitFilter
from units.models import BudgetUnit, DepartmentYear

EXPORT_PARAM = "_export"


@login_required
def home(request):
    """The dashboard of the user's department for the latest year, or of their unit for an
    accountant; for the finance bureau, with no department of its own, the latest 省级总览."""
    department_year = home_department_year(request.user)
    if department_year is None:
        latest_year = DepartmentYear.objects.order_by("-year").values_list("year", flat=True).first()
        if latest_year is not None and may_compare_departments(request.user):
            return redirect(reverse("province", kwargs={"year": latest_year}))
        return render(request, "fundmgr/no_access.html", status=200)
    kwargs = {"department_code": department_year.department.code, "year": department_year.year}
    unit = home_unit(request.user, department_year)
    if unit is not None:
        return redirect(reverse("units:detail", kwargs={**kwargs, "unit_code": unit.code}))
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
            return table_xlsx(tables[name], prefix=filename, user=self.request.user)
        return None


@dataclass(frozen=True)
class AsOf:
    """What a page's nav reads of its dashboard, the as-of month, when the content came from the cache."""

    department_year: DepartmentYear
    month: int

    @property
    def asof_param(self) -> str:
        return f"{self.department_year.year}-{self.month:02d}"


@dataclass
class ScopePage:
    """What one scope adds to its dashboard page: `tables` answer `?_export=xlsx&table=<name>`
    (beside the indicators), `context` goes to the template, `filename` names the exports."""

    filename: str
    tables: dict = field(default_factory=dict)
    context: dict = field(default_factory=dict)


class ScopeDashboardView(DashboardMixin, TemplateView):
    """A dashboard page of the department-year, a unit or an item: cards, charts and the
    indicators' status as of a month's end, then the tables of its scope."""

    def subject(self, scope: Scope) -> dict:
        """The unit or item the page is about, as dashboard_for's keyword; none for the department."""
        return {}

    def answer_without_dashboard(self, scope: Scope, month: int, subject: dict) -> HttpResponse | None:
        """A redirect or a download that needs no dashboard, or None."""
        return None

    def scope_page(self, dashboard: Dashboard, subject: dict) -> ScopePage:
        raise NotImplementedError

    def nav_context(self, department_year: DepartmentYear) -> dict:
        """What the page shows outside its main content (never cached: it is the user's own)."""
        return {}

    def version(self, department_year: DepartmentYear, subject: dict) -> str:
        """The ledger version the page's figures and content are cached under: the department-year's."""
        return department_year.ledger_version

    def content(self, scope: Scope, month: int, subject: dict, version: str) -> CachedContent:
        """The page's main content as cached for this scope's viewers, or its key to store it under."""
        # the whole query, asof included: the content's sort and page links repeat it
        return page_content(
            self.request, department_year=scope.department_year, version=version, month=month, viewer=scope.viewer, **subject
        )

    def get(self, request, *args, **kwargs):
        scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        subject = self.subject(scope)
        department_year = scope.department_year
        month = self.month(department_year.year)
        answer = self.answer_without_dashboard(scope, month, subject)
        if answer is not None:
            return answer
        exporting = request.GET.get(EXPORT_PARAM) is not None
        version = self.version(department_year, subject)
        content = None if exporting else self.content(scope, month, subject, version)
        common = {"scope": scope, "department_year": department_year, **subject, **self.nav_context(department_year)}
        if content is not None and content.html is not None:
            return self.render_to_response(
                self.get_context_data(cached_content=content, dashboard=AsOf(department_year, month), **common)
            )
        dashboard = cached_dashboard(department_year=department_year, version=version, month=month, **subject)
        page = self.scope_page(dashboard, subject)
        indicator_table = IndicatorStatusTable(dashboard.indicators, value_label=dashboard.indicator_value_label)
        export = self.exported({**page.tables, "indicators": indicator_table}, filename=page.filename)
        if export is not None:
            return export
        return self.render_to_response(
            self.get_context_data(
                cached_content=content, dashboard=dashboard, indicator_table=indicator_table, **common, **page.context
            )
        )

    def children_tables(self, dashboard: Dashboard, children: list, child_filter, table_class, *, prefix: str):
        """The tables of a scope with children (the department's units, a unit's items): the
        children the filter keeps, when a filter field is given, sortable, with the scope's
        totals as footer; and the scope's lagging items, paged."""
        if child_filter.is_bound and any(self.request.GET.get(name) for name in child_filter.form.fields):
            wanted = set(child_filter.qs.values_list("id", flat=True))
            children = [child for child in children if child.id in wanted]
        table = table_class(
            children,
            totals=dashboard.totals,
            progress=dashboard.progress,
            month=dashboard.month,
            department_year=dashboard.department_year,
            prefix=prefix,
        )
        table.order_by = self.request.GET.get(f"{prefix}sort")
        lagging_table = LaggingTable(dashboard.lagging, prefix="lag-")
        paginate(lagging_table, page=self.request.GET.get("lag-page"), per_page=LAGGING_PER_PAGE)
        return table, lagging_table


class DepartmentDashboardView(ScopeDashboardView):
    """部门驾驶舱: the department's units and lagging items.

    An accountant sees the same page for their own unit only: they are sent there.
    """

    template_name = "fundmgr/department_dashboard.html"

    def answer_without_dashboard(self, scope, month, subject):
        if scope.unit_id is None:
            return None
        unit = BudgetUnit.objects.get(pk=scope.unit_id)
        path = reverse("units:detail", kwargs={**self.kwargs, "unit_code": unit.code})
        return redirect(f"{path}?asof={scope.department_year.year}-{month:02d}")

    def scope_page(self, dashboard, subject):
        department_year = dashboard.department_year
        unit_filter = UnitFilter(
            self.request.GET or None, queryset=BudgetUnit.objects.filter(department_id=department_year.department_id)
        )
        unit_table, lagging_table = self.children_tables(dashboard, dashboard.units, unit_filter, UnitTable, prefix="u-")
        return ScopePage(
            filename=f"{department_year.department.code}-{department_year.year}-{dashboard.month:02d}",
            tables={"units": unit_table, "lagging": lagging_table},
            context={"unit_filter": unit_filter, "unit_table": unit_table, "lagging_table": lagging_table},
        )

    def nav_context(self, department_year):
        # the 省级总览 link shows exactly when the province view answers this user (not 404)
        may_compare = may_compare_departments(self.request.user)
        return {"province_url": reverse("province", kwargs={"year": department_year.year}) if may_compare else ""}


class ProvinceView(DashboardMixin, TemplateView):
    """省级总览: every department of a year side by side, for the finance bureau."""

    template_name = "fundmgr/province.html"

    def get(self, request, *args, **kwargs):
        department_ids = province_department_ids(request.user)
        linked_ids = openable_department_ids(request.user)
        year = kwargs["year"]
        month = self.month(year)
        common = {
            "year": year,
            "month": month,
            "asof_param": f"{year}-{month:02d}",
            "months": [(f"{year}-{m:02d}", _("%(month)d月") % {"month": m}) for m in range(1, 13)],
            "scored": is_scored(month),
            # None: the whole province, a superuser's or the 财政厅 group's, who also review 自评表
            "may_review": department_ids is None,
        }
        content = None
        if request.GET.get(EXPORT_PARAM) is None:
            content = CachedContent.look_up(
                cache_key(
                    "province",
                    department_year_id=0,
                    version=province_version(year),
                    month=month,
                    # what the viewer sees (the departments) and may open (the links)
                    viewer=viewer_key(department_ids, linked_ids),
                    year=year,
                    query=query_string(request.GET),
                )
            )
            if content.html is not None:
                return self.render_to_response(self.get_context_data(cached_content=content, **common))
        rows = province_rows(year=year, month=month, department_ids=department_ids, linked_ids=linked_ids)
        table = ProvinceTable(rows, order_by=request.GET.get("sort"))
        export = self.exported({"departments": table}, filename=f"{year}-{month:02d}")
        if export is not None:
            return export
        return self.render_to_response(self.get_context_data(cached_content=content, table=table, rows=rows, **common))


def viewer_key(department_ids: list[int] | None, linked_ids: set[int] | None) -> str:
    """The province view's viewer in its cache key: the departments shown and those linked."""

    def ids(values) -> str:
        return "all" if values is None else ",".join(str(value) for value in sorted(values))

    return f"shown:{ids(department_ids)};linked:{ids(linked_ids)}"


class UnitDetailView(ScopeDashboardView):
    """A unit's dashboard: its items and lagging items."""

    template_name = "units/unit_detail.html"

    def subject(self, scope):
        return {"unit": unit_in_scope(scope, self.kwargs["unit_code"])}

    def version(self, department_year, subject):
        return unit_version(department_year, subject["unit"])

    def scope_page(self, dashboard, subject):
        department_year, unit = dashboard.department_year, subject["unit"]
        item_filter = ItemFilter(
            self.request.GET or None, queryset=BudgetItem.objects.filter(department_year=department_year, unit=unit)
        )
        item_table, lagging_table = self.children_tables(dashboard, dashboard.items, item_filter, ItemTable, prefix="i-")
        return ScopePage(
            filename=f"{department_year.department.code}-{department_year.year}-{unit.code}",
            tables={"items": item_table, "lagging": lagging_table},
            context={"item_filter": item_filter, "item_table": item_table, "lagging_table": lagging_table},
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
            scope=ExpenditureScope(department_year=scope.department_year, unit=unit),
        )


class ItemDetailView(ScopeDashboardView):
    """A budget item's dashboard: its budget lines and its expenditures (filtered, paged, and
    downloadable as expenditures.xlsx)."""

    template_name = "projects/item_detail.html"

    def subject(self, scope):
        return {"item": item_in_scope(scope, self.kwargs["item_code"])}

    def version(self, department_year, subject):
        return item_version(department_year, subject["item"])

    def expenditure_filter(self, item: BudgetItem) -> ItemExpenditureFilter:
        return ItemExpenditureFilter(self.request.GET or None, queryset=Expenditure.objects.filter(item=item))

    def answer_without_dashboard(self, scope, month, subject):
        if self.request.GET.get(EXPORT_PARAM) != "xlsx" or self.request.GET.get("table") != "expenditures":
            return None
        department_year, item = scope.department_year, subject["item"]
        return expenditures_xlsx(
            self.expenditure_filter(item).qs.order_by("-date", "-id"),
            filename=f"{department_year.department.code}-{department_year.year}-{item.code}-expenditures.xlsx",
            user=self.request.user,
            scope=ExpenditureScope(department_year=department_year, item=item),
        )

    def scope_page(self, dashboard, subject):
        department_year, item = dashboard.department_year, subject["item"]
        lines = BudgetLineTable(list(BudgetLine.objects.filter(item=item).order_by("date", "id")))
        expenditure_filter = self.expenditure_filter(item)
        expenditure_table = ExpenditureTable(expenditure_filter.qs.order_by("-date", "-id"))
        paginate(expenditure_table, page=self.request.GET.get("page"), per_page=50)
        return ScopePage(
            filename=f"{department_year.department.code}-{department_year.year}-{item.code}",
            tables={"lines": lines},
            context={
                "lines": lines,
                "expenditure_filter": expenditure_filter,
                "expenditures": expenditure_table,
                "transfers": item_transfers(item),  # 预算调剂 out of and into the item (one query)
            },
        )


class AlertsView(DashboardMixin, TemplateView):
    """序时进度预警: the items behind their plan at a month's end (fundmgr.alerts), with the unit
    responsible. The finance office and leaders see every unit; an accountant their own unit's items.

    Its content is cached as the dashboards' is: under the department-year's ledger version, the
    month, the viewer (role, and an accountant's unit) and the query."""

    template_name = "fundmgr/alerts.html"

    def get(self, request, *args, **kwargs):
        scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        department_year = scope.department_year
        month = self.month(department_year.year)
        year = department_year.year
        common = {
            "scope": scope,
            "department_year": department_year,
            "month": month,
            "as_of": month_end(year, month),
            "asof_param": f"{year}-{month:02d}",
            "months": [(f"{year}-{m:02d}", _("%(month)d月") % {"month": m}) for m in range(1, 13)],
        }
        content = None
        if request.GET.get(EXPORT_PARAM) is None:
            content = page_content(
                request, department_year=department_year, version=department_year.ledger_version, month=month, viewer=scope.viewer
            )
            if content.html is not None:
                return self.render_to_response(self.get_context_data(cached_content=content, **common))
        summary = budget_summary_at_month(department_year=department_year, month=month)
        rows = alerts.lagging_items(summary, unit_id=scope.unit_id)
        table = AlertTable(rows, month=month, department_year=department_year)
        export = self.exported({"alerts": table}, filename=f"{department_year.department.code}-{year}-{month:02d}")
        if export is not None:
            return export
        return self.render_to_response(
            self.get_context_data(
                cached_content=content,
                rows=rows,
                table=table,
                red=sum(1 for row in rows if row.status == "red"),
                yellow=sum(1 for row in rows if row.status == "yellow"),
                **common,
            )
        )
