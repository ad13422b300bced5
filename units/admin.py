from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from units import services
from units.access import finance_admin_has_permission, finance_department_ids, may_write_shared_data
from units.admin_mixins import (
    DepartmentScopedAdminMixin,
    ServiceDeleteAdminMixin,
    ServiceWriteAdminMixin,
    SuperuserWritesAdminMixin,
    user_display,
)
from units.models import BudgetUnit, Department, DepartmentYear, Membership


class BudgetUnitInline(SuperuserWritesAdminMixin, admin.TabularInline):
    model = BudgetUnit
    extra = 0
    fields = ("code", "name", "kind", "authorized_staff", "actual_staff", "retired_staff", "lixiu_staff", "position")


@admin.register(Department)
class DepartmentAdmin(SuperuserWritesAdminMixin, DepartmentScopedAdminMixin, admin.ModelAdmin):
    """A department is created and renamed by a superuser; its finance office sees its own."""

    department_path = "pk"
    list_display = ("code", "name")
    search_fields = ("code", "name")
    inlines = [BudgetUnitInline]


@admin.register(BudgetUnit)
class BudgetUnitAdmin(DepartmentScopedAdminMixin, ServiceWriteAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "department", "kind", "authorized_staff", "actual_staff")
    list_filter = ("department", "kind")
    search_fields = ("code", "name")
    fields = ("department", *services.UNIT_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        # A unit never moves to another department: its items and accountants would not follow.
        return ("department",) if obj else ()

    def has_delete_permission(self, request, obj=None):
        # Deleting a unit takes its accountants' roles with it; a superuser decides that.
        return may_write_shared_data(request.user) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data.get(name) for name in services.UNIT_FIELDS}
        fields["position"] = fields["position"] or 0
        if change:
            saved = services.budget_unit_update(unit=obj, **fields)
        else:
            saved = services.budget_unit_create(department=form.cleaned_data["department"], **fields)
        obj.pk = saved.pk


@admin.register(DepartmentYear)
class DepartmentYearAdmin(DepartmentScopedAdminMixin, admin.ModelAdmin):
    """Years come from the workbook import and their report texts from the report page: the
    finance office only looks here. A year is never renumbered, moved or deleted in the admin
    (deleting it would take its whole ledger, closed months included)."""

    list_display = ("department", "year", "imported_at", "imported_by")
    list_filter = ("department", "year")
    readonly_fields = ("imported_at", "imported_by")

    def get_readonly_fields(self, request, obj=None):
        return ("department", "year", *self.readonly_fields) if obj else self.readonly_fields

    def has_add_permission(self, request):
        return may_write_shared_data(request.user)

    def has_change_permission(self, request, obj=None):
        return may_write_shared_data(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(DepartmentScopedAdminMixin, ServiceDeleteAdminMixin, ServiceWriteAdminMixin, admin.ModelAdmin):
    """Roles are given through units.services. A finance office picks among its own department's
    people and accounts that have no role anywhere yet, never a superuser."""

    list_display = ("user", "department", "role", "unit")
    list_filter = ("department", "role", "unit")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    fields = ("user", "department", "role", "unit")

    def get_fields(self, request, obj=None):
        return ("person", "department", "role", "unit") if obj else self.fields

    def get_readonly_fields(self, request, obj=None):
        return ("person", "department") if obj else ()

    person = user_display("user", Membership)  # read-only on change, without a link (units.admin_mixins)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and field is not None:
            departments = finance_department_ids(request.user)
            users = get_user_model().objects.filter(is_active=True).order_by("username")
            if departments is not None:
                users = users.filter(is_superuser=False).filter(
                    Q(memberships__department__in=departments) | Q(memberships__isnull=True)
                ).distinct()
            field.queryset = users
        return field

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.membership_update(membership=obj, role=data["role"], unit=data.get("unit"))
        else:
            saved = services.membership_create(user=data["user"], department=data["department"], role=data["role"], unit=data.get("unit"))
        obj.pk = saved.pk

    def delete_with_service(self, obj):
        services.membership_delete(membership=obj)


admin.site.site_header = _("预算执行与绩效自评 · 管理")
admin.site.site_title = _("fundmgr 管理")
admin.site.index_title = _("财务处管理")
# The admin is for the finance office and superusers only, whatever the staff flag says.
admin.site.has_permission = finance_admin_has_permission
