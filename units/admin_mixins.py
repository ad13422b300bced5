"""Admin plumbing shared by the apps' admin modules.

Admin saves of ledger rows go through the services, like every other writer. Forms check the
rule early to show errors next to the field; a write that still fails under the item's lock
(another clerk got there first) is reported as a message instead of a 500.

The admin serves each department's finance office: every queryset, filter, dropdown and
history page is cut down to the user's departments, and data shared by all departments is
written by superusers only.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from units.access import finance_department_ids, may_write_shared_data


def user_display(name: str, model):
    """A read-only user of a row (who entered, decided, closed), as plain text. The admin links a
    read-only foreign key to the related row's change page, and a user's page is a superuser's
    only (fundmgr/admin.py): the finance office would follow that link to a 403."""

    @admin.display(description=model._meta.get_field(name).verbose_name)
    def shown(model_admin, obj):
        user = getattr(obj, name)
        return "—" if user is None else str(user)

    return shown


def messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


class ServiceWriteAdminMixin:
    """Turn a ValidationError raised while saving into an error message on the same page."""

    def _refusals_as_messages(self, request, view, *args):
        try:
            return view(request, *args)
        except ValidationError as error:
            for message in messages_of(error):
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._refusals_as_messages(request, super().changeform_view, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._refusals_as_messages(request, super().delete_view, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        # "Delete selected" calls delete_queryset, which goes through the services.
        return self._refusals_as_messages(request, super().changelist_view, extra_context)


class ServiceDeleteAdminMixin:
    """Deletes, one or "delete selected", through the model's delete service; a bulk delete is all
    or nothing, so one refused row keeps the others. Subclasses name the service call."""

    def delete_with_service(self, obj) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj):
        self.delete_with_service(obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_with_service(obj)


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


class ScopedAllValuesFieldListFilter(admin.AllValuesFieldListFilter):
    """Django lists every value of a field across a relation (`department_year__year`) from the
    whole table; this lists only the values found in the admin's own, scoped rows."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request).order_by(field_path).values_list(field_path, flat=True).distinct()
        )


def scoped_list_filter(model, entry):
    """A list_filter entry whose choices come from the admin's scoped queryset, not the whole table."""
    if not isinstance(entry, str):
        return entry
    field = get_fields_from_path(model, entry)[-1]
    if field.is_relation:
        return (entry, admin.RelatedOnlyFieldListFilter)
    if "__" in entry and not field.choices:
        return (entry, ScopedAllValuesFieldListFilter)
    return entry


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
        departments = finance_department_ids(request.user)
        return departments is None or bool(departments)  # None: every department (a superuser)

    def get_list_filter(self, request):
        return [scoped_list_filter(self.model, entry) for entry in super().get_list_filter(request)]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related_paths = {"item": "department_year__department", "unit": "department", "department_year": "department", "department": "pk"}
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        path = related_paths.get(db_field.name)
        if path and field is not None and hasattr(field, "queryset"):
            field.queryset = self._scope(request, field.queryset, path)
        return field


class ReadOnlyHistoryAdminMixin:
    """django-simple-history's pages, read-only and scoped like the admin's other pages.

    The history list and each version are found through the scoped history queryset, so another
    department's record, live or deleted, is a 404 like a record that never existed. Reverting is
    refused (SIMPLE_HISTORY_REVERT_DISABLED only hides the button; the view would still save):
    a revert would write the ledger around the services. Combine with SimpleHistoryAdmin and
    DepartmentScopedAdminMixin, before them in the bases.
    """

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        records = super().get_history_queryset(request, history_manager, pk_name, object_id)
        return self._scope(request, records, self.department_path)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        records = self.get_history_queryset(request, history, self.model._meta.pk.attname, unquote(object_id))
        if not str(version_id).isdigit() or not records.filter(history_id=version_id).exists():
            raise Http404
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_change_history_permission(self, request, obj=None):
        return False


class SuperuserWritesAdminMixin:
    """Reference data every department shares: superusers write it, a finance office may read it."""

    def has_add_permission(self, request, *args):
        return may_write_shared_data(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return may_write_shared_data(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_write_shared_data(request.user) and super().has_delete_permission(request, obj)


class SuperuserOnlyAdminMixin(SuperuserWritesAdminMixin):
    """Accounts and the lockout records span all departments: only superusers see them at all."""

    def has_module_permission(self, request):
        return may_write_shared_data(request.user)

    def has_view_permission(self, request, obj=None):
        return may_write_shared_data(request.user)
