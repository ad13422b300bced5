from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from fundmgr.lib.money import percent, wan
from projects import closing, services
from projects.models import (
    BudgetItem,
    BudgetLine,
    BudgetTransfer,
    EconomicClass,
    Expenditure,
    MonthClose,
    SpendingPlan,
    YearClose,
)
from projects.selectors import figures_of, items_with_figures
from units.admin_mixins import (
    DepartmentScopedAdminMixin,
    MonthListFilter,
    ReadOnlyHistoryAdminMixin,
    ServiceDeleteAdminMixin,
    ServiceWriteAdminMixin,
    SuperuserWritesAdminMixin,
    user_display,
)


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ("source", "kind", "amount", "date", "document")

    def clean(self):
        cleaned = super().clean()
        item = getattr(self.instance, "item", None) if self.instance.item_id else self.cleaned_data.get("item")
        # An unchanged row is not saved: only what changes is checked (a transfer's lines show
        # here too, and are refused only when someone edits them).
        if item is None or self.errors or cleaned.get("DELETE") or not self.has_changed():
            return cleaned
        services.budget_line_validate(
            item=item,
            kind=cleaned["kind"],
            amount=cleaned["amount"],
            date=cleaned["date"],
            line=self.instance if self.instance.pk else None,
        )
        return cleaned


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    form = BudgetLineForm
    extra = 1
    fields = ("kind", "source", "amount", "date", "document")


class MonthFilter(MonthListFilter, admin.SimpleListFilter):
    pass


def audit_link(url_name: str, record) -> str:
    """A link from the admin to the record's page on our own audit trail (fundmgr.history)."""
    if record is None or record.pk is None:
        return "—"
    department_year = record.item.department_year
    kwargs = {"department_code": department_year.department.code, "year": department_year.year, "pk": record.pk}
    return format_html('<a href="{}">{}</a>', reverse(url_name, kwargs=kwargs), _("变更历史"))


@admin.register(BudgetItem)
class BudgetItemAdmin(DepartmentScopedAdminMixin, ServiceDeleteAdminMixin, ServiceWriteAdminMixin, admin.ModelAdmin):
    department_path = "department_year__department"
    list_display = ("code", "name", "unit", "category", "full_year_wan", "spent_wan", "rate")
    list_filter = ("department_year__department", "department_year__year", "unit", "category")
    search_fields = ("code", "name")
    inlines = [BudgetLineInline]
    list_select_related = ("unit",)

    def get_queryset(self, request):
        return items_with_figures(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        # An item keeps its year and its unit: moving it would move its money.
        return ("department_year", "unit") if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        description = {
            "code": data["code"],
            "name": data["name"],
            "category": data["category"],
            "procurement_required": data.get("procurement_required", False),
            "position": data.get("position") or 0,
        }
        if change:
            saved = services.budget_item_update(item=BudgetItem.objects.get(pk=obj.pk), **description)
        else:
            saved = services.budget_item_create(department_year=data["department_year"], unit=data["unit"], **description)
        obj.pk = saved.pk

    def delete_with_service(self, obj):
        services.budget_item_delete(item=obj)

    @admin.display(description=_("全年预算数（万元）"))
    def full_year_wan(self, item):
        return f"{wan(figures_of(item).full_year):,.2f}"

    @admin.display(description=_("执行数（万元）"))
    def spent_wan(self, item):
        return f"{wan(item.spent):,.2f}"

    @admin.display(description=_("执行率"))
    def rate(self, item):
        shown = percent(figures_of(item).execution_rate)
        return "—" if shown is None else f"{shown:.2f}%"

    def save_formset(self, request, form, formset, change):
        if formset.model is not BudgetLine:
            raise NotImplementedError(f"{formset.model.__name__} inline has no service")
        # What ModelAdmin.construct_change_message reads after the save.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for line_form in formset.deleted_forms:
            if line_form.instance.pk:
                # The form has already copied the posted values onto its instance: the service
                # must check the stored date against closed months, not the posted one.
                services.budget_line_delete(line=BudgetLine.objects.get(pk=line_form.instance.pk))
        for line_form in formset.forms:
            if line_form in formset.deleted_forms or not line_form.has_changed():
                continue
            data = line_form.cleaned_data
            if not data:
                continue
            if line_form.instance.pk:
                services.budget_line_update(
                    line=line_form.instance,
                    source=data["source"],
                    kind=data["kind"],
                    amount=data["amount"],
                    date=data["date"],
                    document=data.get("document", ""),
                )
            else:
                services.budget_line_create(
                    item=form.instance,
                    source=data["source"],
                    kind=data["kind"],
                    amount=data["amount"],
                    date=data["date"],
                    document=data.get("document", ""),
                    created_by=request.user,
                )


class ExpenditureAdminForm(forms.ModelForm):
    class Meta:
        model = Expenditure
        fields = ("item", "date", "amount", "economic_class", "memo", "voucher", "procurement_method")

    def clean(self):
        cleaned = super().clean()
        item = cleaned.get("item") or (self.instance.item if self.instance.item_id else None)
        if self.errors or item is None:
            return cleaned
        try:
            services.expenditure_validate(
                item=item,
                date=cleaned["date"],
                amount=cleaned["amount"],
                expenditure=self.instance if self.instance.pk else None,
            )
        except ValidationError as error:
            raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) from None
        return cleaned


@admin.register(Expenditure)
class ExpenditureAdmin(
    ReadOnlyHistoryAdminMixin, DepartmentScopedAdminMixin, ServiceDeleteAdminMixin, ServiceWriteAdminMixin, SimpleHistoryAdmin
):
    department_path = "item__department_year__department"
    form = ExpenditureAdminForm
    list_display = ("date", "item", "amount", "economic_class", "status", "memo", "voucher", "entered_by")
    list_filter = (
        "item__department_year__department",
        "item__department_year__year",
        "item__unit",
        "item__category",
        "status",
        MonthFilter,
        "economic_class__parent",
    )
    search_fields = ("memo", "voucher", "item__code", "item__name")
    list_select_related = ("item", "economic_class", "entered_by")
    autocomplete_fields = ("item", "economic_class")
    date_hierarchy = "date"
    readonly_fields = (
        "status", "entered_by_name", "entered_at", "decided_by_name", "decided_at", "meeting_date", "minutes_number",
        "rejection_reason", "audit_history",
    )
    # users as plain text: a read-only foreign key would link to the user's page, a superuser's only
    entered_by_name = user_display("entered_by", Expenditure)
    decided_by_name = user_display("decided_by", Expenditure)

    @admin.display(description=_("变更历史"))
    def audit_history(self, expenditure):
        return audit_link("expenditures:history", expenditure)

    def get_readonly_fields(self, request, obj=None):
        # An expenditure stays on its item; moving money between items is a delete and a new entry.
        return (("item",) if obj else ()) + self.readonly_fields

    def get_fields(self, request, obj=None):
        fields = ["item", "date", "amount", "economic_class", "memo", "voucher", "procurement_method"]
        return fields + [name for name in self.readonly_fields if name not in fields] if obj else fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.expenditure_update(
                expenditure=Expenditure.objects.get(pk=obj.pk),
                date=data["date"],
                amount=data["amount"],
                economic_class=data["economic_class"],
                memo=data.get("memo", ""),
                voucher=data.get("voucher", ""),
                procurement_method=data.get("procurement_method", ""),
            )
        else:
            saved = services.expenditure_create(
                item=data["item"],
                date=data["date"],
                amount=data["amount"],
                economic_class=data["economic_class"],
                memo=data.get("memo", ""),
                voucher=data.get("voucher", ""),
                procurement_method=data.get("procurement_method", ""),
                entered_by=request.user,
            )
        obj.pk = saved.pk
        obj.status = saved.status

    def delete_with_service(self, obj):
        services.expenditure_delete(expenditure=obj)


@admin.register(BudgetLine)
class BudgetLineAdmin(
    ReadOnlyHistoryAdminMixin, DepartmentScopedAdminMixin, ServiceDeleteAdminMixin, ServiceWriteAdminMixin, SimpleHistoryAdmin
):
    department_path = "item__department_year__department"
    list_display = ("item", "kind", "source", "amount", "date", "document")
    list_filter = (
        "item__department_year__department",
        "item__department_year__year",
        "item__unit",
        "item__category",
        "source",
        "kind",
        MonthFilter,
    )
    search_fields = ("item__code", "item__name", "document")
    list_select_related = ("item",)
    autocomplete_fields = ("item",)
    readonly_fields = ("audit_history",)

    @admin.display(description=_("变更历史"))
    def audit_history(self, line):
        return audit_link("budget_lines:history", line)

    def has_add_permission(self, request):
        # Lines are added on their item's page, where the item's balance is in view.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_with_service(self, obj):
        services.budget_line_delete(line=obj)


@admin.register(EconomicClass)
class EconomicClassAdmin(SuperuserWritesAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "parent")
    list_filter = ("parent",)
    search_fields = ("code", "name")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MonthClose)
class MonthCloseAdmin(ReadOnlyHistoryAdminMixin, DepartmentScopedAdminMixin, ServiceWriteAdminMixin, SimpleHistoryAdmin):
    """Closing goes through projects.closing.month_close as the acting user. A close is never
    edited, and never deleted here: reopening takes a reason, on the department's months page."""

    department_path = "department_year__department"
    list_display = ("department_year", "month", "closed_at", "closed_by", "months_page")
    list_filter = ("department_year__department", "department_year__year", "month")
    fields = ("department_year", "month", "closed_at", "closed_by_name", "months_page")
    readonly_fields = ("closed_at", "closed_by_name", "months_page")
    closed_by_name = user_display("closed_by", MonthClose)  # plain text: a user's admin page is a superuser's only

    @admin.display(description=_("重新开账"))
    def months_page(self, month_close):
        if month_close is None or month_close.pk is None:
            return "—"
        department_year = month_close.department_year
        url = reverse("closing:months", kwargs={"department_code": department_year.department.code, "year": department_year.year})
        return format_html('<a href="{}">{}</a>', url, _("月结页面"))

    def get_fields(self, request, obj=None):
        return self.fields if obj else ("department_year", "month")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = closing.month_close(
            department_year=form.cleaned_data["department_year"], month=form.cleaned_data["month"], closed_by=request.user
        )
        obj.pk = saved.pk


class ReadOnlyAdminMixin:
    """Rows the admin shows but never writes: they are written through their services only
    (projects.services' plan_set and transfer_*, projects.yearend.close_year)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BudgetTransfer)
class BudgetTransferAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryAdminMixin, DepartmentScopedAdminMixin, SimpleHistoryAdmin):
    department_path = "department_year__department"
    list_display = ("date", "from_item", "to_item", "source", "amount", "document", "status")
    list_filter = ("department_year__department", "department_year__year", "source", "status", MonthFilter)
    search_fields = ("document", "from_item__code", "from_item__name", "to_item__code", "to_item__name")
    list_select_related = ("from_item", "to_item")
    exclude = ("created_by", "decided_by")
    readonly_fields = ("created_by_name", "decided_by_name")
    created_by_name = user_display("created_by", BudgetTransfer)
    decided_by_name = user_display("decided_by", BudgetTransfer)


@admin.register(SpendingPlan)
class SpendingPlanAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryAdminMixin, DepartmentScopedAdminMixin, SimpleHistoryAdmin):
    department_path = "item__department_year__department"
    list_display = ("item", "month", "amount")
    list_filter = ("item__department_year__department", "item__department_year__year", "item__unit", "month")
    search_fields = ("item__code", "item__name")
    list_select_related = ("item",)


@admin.register(YearClose)
class YearCloseAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryAdminMixin, DepartmentScopedAdminMixin, SimpleHistoryAdmin):
    department_path = "department_year__department"
    list_display = ("department_year", "next_year", "carried_total", "lapsed_total", "closed_at", "closed_by")
    list_filter = ("department_year__department", "department_year__year")
    list_select_related = ("department_year__department", "next_year__department", "closed_by")
    exclude = ("closed_by",)
    readonly_fields = ("closed_by_name",)
    closed_by_name = user_display("closed_by", YearClose)
