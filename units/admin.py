from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from fundmgr.admin_utils import DepartmentScopedAdminMixin

from units.models import BudgetUnit, Department, DepartmentYear, Membership, MonthClose


class BudgetUnitInline(admin.TabularInline):
    model = BudgetUnit
    extra = 0
    fields = ("code", "name", "kind", "authorized_staff", "actual_staff", "retired_staff", "lixiu_staff", "position")


@admin.register(Department)
class DepartmentAdmin(DepartmentScopedAdminMixin, admin.ModelAdmin):
    department_path = "pk"
    list_display = ("code", "name")
    search_fields = ("code", "name")
    inlines = [BudgetUnitInline]


@admin.register(BudgetUnit)
class BudgetUnitAdmin(DepartmentScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "department", "kind", "authorized_staff", "actual_staff")
    list_filter = ("department", "kind")
    search_fields = ("code", "name")


@admin.register(DepartmentYear)
class DepartmentYearAdmin(DepartmentScopedAdminMixin, admin.ModelAdmin):
    list_display = ("department", "year", "imported_at", "imported_by")
    list_filter = ("department", "year")
    readonly_fields = ("imported_at", "imported_by")


@admin.register(MonthClose)
class MonthCloseAdmin(DepartmentScopedAdminMixin, SimpleHistoryAdmin):
    department_path = "department_year__department"
    list_display = ("department_year", "month", "closed_at", "closed_by")
    list_filter = ("department_year__department", "department_year__year", "month")
    readonly_fields = ("closed_at",)


@admin.register(Membership)
class MembershipAdmin(DepartmentScopedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "department", "role", "unit")
    list_filter = ("department", "role", "unit")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)


admin.site.site_header = _("预算执行与绩效自评 · 管理")
admin.site.site_title = _("fundmgr 管理")
admin.site.index_title = _("财务处管理")
