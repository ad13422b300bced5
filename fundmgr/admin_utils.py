"""Admin plumbing shared by the apps' admin modules.

Admin saves of ledger rows go through projects.services, like every other writer. Forms
check the rule early to show errors next to the field; a write that still fails under the
item's lock (another clerk got there first) is reported as a message instead of a 500.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _


def messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


class ServiceWriteAdminMixin:
    """Turn a ValidationError raised while saving into an error message on the same page."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            for message in messages_of(error):
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            for message in messages_of(error):
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())


class MonthListFilter:
    """A list filter on the month of a date field, for finance staff who think in months."""

    title = _("月份")
    parameter_name = "month"
    date_field = "date"

    def lookups(self, request, model_admin):
        return [(str(month), _("%(month)s月") % {"month": month}) for month in range(1, 13)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(**{f"{self.date_field}__month": int(self.value())})
        return queryset


def finance_department_ids(user) -> list[int] | None:
    """Departments whose finance office the user belongs to; None means all (a superuser)."""
    if user.is_superuser:
        return None
    if not user.is_authenticated:  # the admin login page builds its app list for anonymous users
        return []
    from units.models import Membership

    return list(
        Membership.objects.filter(user=user, role=Membership.Role.FINANCE).values_list("department_id", flat=True)
    )


class DepartmentScopedAdminMixin:
    """The admin is for the finance office: it sees and picks only its own departments' rows."""

    department_path = "department"  # the lookup from this model to its Department

    def _scope(self, request, queryset, path):
        departments = finance_department_ids(request.user)
        if departments is None:
            return queryset
        return queryset.filter(**{f"{path}__in": departments})

    def get_queryset(self, request):
        return self._scope(request, super().get_queryset(request), self.department_path)

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(finance_department_ids(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related_paths = {"item": "department_year__department", "unit": "department", "department_year": "department", "department": "pk"}
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        path = related_paths.get(db_field.name)
        if path and field is not None and hasattr(field, "queryset"):
            field.queryset = self._scope(request, field.queryset, path)
        return field
