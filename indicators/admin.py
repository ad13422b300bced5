from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import Evidence, Indicator
from units.admin_mixins import DepartmentScopedAdminMixin, ReadOnlyHistoryAdminMixin, user_display


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


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyHistoryAdminMixin, DepartmentScopedAdminMixin, SimpleHistoryAdmin):
    """Read-only: 佐证材料 are uploaded and deleted on the 自评表 pages through indicators.evidence,
    which checks the file and keeps the storage in step. The stored file is never linked here
    (its storage URL would bypass the access check): the download goes through the site's view."""

    department_path = "department_year__department"
    list_display = ("original_name", "kind", "size", "item", "indicator", "uploaded_by", "uploaded_at")
    list_filter = ("department_year__department", "department_year__year", "kind", "item__unit")
    search_fields = ("original_name", "item__code", "indicator__code", "sha256")
    list_select_related = ("item", "indicator", "uploaded_by")
    fields = (
        "department_year",
        "item",
        "indicator",
        "original_name",
        "kind",
        "size",
        "sha256",
        "uploader",
        "uploaded_at",
        "download",
    )
    readonly_fields = fields
    uploader = user_display("uploaded_by", Evidence)

    @admin.display(description=_("下载"))
    def download(self, evidence):
        if evidence is None or evidence.pk is None:
            return "—"
        department_year = evidence.department_year
        kwargs = {"department_code": department_year.department.code, "year": department_year.year, "pk": evidence.pk}
        return format_html('<a href="{}">{}</a>', reverse("indicators:evidence_download", kwargs=kwargs), evidence.original_name)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
