from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import Indicator
from units.admin_mixins import DepartmentScopedAdminMixin, ReadOnlyHistoryAdminMixin


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyHistoryAdminMixin, DepartmentScopedAdminMixin, SimpleHistoryAdmin):
    """Read-only: indicators come from the workbook import, and their results are recorded on the
    indicator pages through indicators.services, with the self-evaluation's rules."""

    department_path = "department_year__department"
    list_display = ("code", "name", "level1", "level2", "direction", "target", "midyear", "actual", "points", "item")
    list_filter = ("department_year__department", "department_year__year", "level1", "direction", "item__unit")
    search_fields = ("code", "name", "item__code", "item__name")
    list_select_related = ("item",)
    readonly_fields = ("audit_history",)

    @admin.display(description=_("变更历史"))
    def audit_history(self, indicator):
        if indicator is None or indicator.pk is None:
            return "—"
        department_year = indicator.department_year
        kwargs = {"department_code": department_year.department.code, "year": department_year.year, "pk": indicator.pk}
        return format_html('<a href="{}">{}</a>', reverse("audit:indicator_history", kwargs=kwargs), _("变更历史"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
