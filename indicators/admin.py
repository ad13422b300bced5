from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fundmgr.admin_utils import DepartmentScopedAdminMixin

from indicators.models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(DepartmentScopedAdminMixin, SimpleHistoryAdmin):
    department_path = "department_year__department"
    list_display = ("code", "name", "level1", "level2", "direction", "target", "midyear", "actual", "points", "item")
    list_filter = ("department_year__department", "department_year__year", "level1", "direction", "item__unit")
    search_fields = ("code", "name", "item__code", "item__name")
    list_select_related = ("item",)
    autocomplete_fields = ("item",)
