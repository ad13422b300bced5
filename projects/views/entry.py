"""Expenditure entry, the unit's expenditure list and budget-line entry (approvals: projects.views.approvals).

Each view: fetch through the scope (404 outside it), validate with a form, call a service,
redirect. The services decide availability, closed months and approval status.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from fundmgr.lib.forms import apply_service_error
from fundmgr.lib.money import ZERO
from fundmgr.lib.table_xlsx import XlsxExportMixin
from projects import availability, services
from projects.filters import ExpenditureFilter
from projects.forms import BudgetLineForm, ExpenditureForm, economic_class_choices, economic_subclass_choices
from projects.models import BudgetItem, Expenditure, MonthClose
from projects.selectors import expenditure_in_scope, expenditures_in_scope, items_in_scope, lines_in_scope
from projects.tables import BudgetLineListTable, ExpenditureListTable
from units.access import FINANCE, SPEND, Scope, ScopedViewMixin

# --- scope-limited querysets: units.access ---------------------------------------------


def closed_months(scope: Scope) -> set[int]:
    return set(MonthClose.objects.filter(department_year=scope.department_year).values_list("month", flat=True))


def items_open_for_spending(scope: Scope):
    """The items the user may spend on: their unit's, in a year that still has an open month."""
    if len(closed_months(scope)) == 12:
        return BudgetItem.objects.none()
    return items_in_scope(scope)


def department_kwargs(scope: Scope) -> dict:
    return {"department_code": scope.department_year.department.code, "year": scope.department_year.year}


def default_entry_date(scope: Scope) -> date:
    today = date.today()
    year = scope.department_year.year
    return today if today.year == year else date(year, 12, 31)


def last_entry_key(scope: Scope) -> str:
    return f"last-entry-{scope.department_year.pk}"


def last_entry_remember(request, scope: Scope, expenditure: Expenditure) -> None:
    """Keep the item and date of the user's last entry in their session, per department-year."""
    request.session[last_entry_key(scope)] = {"item": expenditure.item_id, "date": expenditure.date.isoformat()}


def last_entry_defaults(request, scope: Scope) -> dict:
    """The item and date of the user's last entry, each only while still usable: the item still
    open for their spending, the date still in the year and in an open month."""
    remembered = request.session.get(last_entry_key(scope))
    if not isinstance(remembered, dict):
        return {}
    defaults = {}
    try:
        on = date.fromisoformat(str(remembered.get("date", "")))
    except ValueError:
        on = None
    closed = closed_months(scope)
    if on is not None and on.year == scope.department_year.year and on.month not in closed:
        defaults["date"] = on
    item_id = remembered.get("item")
    if len(closed) < 12 and isinstance(item_id, int) and items_in_scope(scope).filter(pk=item_id).exists():
        defaults["item"] = item_id
    return defaults


# --- expenditures -------------------------------------------------------------------------


class ExpenditureListView(ScopedViewMixin, XlsxExportMixin, SingleTableMixin, FilterView):
    """The unit's expenditures (the whole department's for the finance office and leaders)."""

    template_name = "ledger/expenditure_list.html"
    table_class = ExpenditureListTable
    filterset_class = ExpenditureFilter
    table_pagination = {"per_page": 50}
    export_name = "expenditures"

    def get_queryset(self):
        return expenditures_in_scope(self.scope)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["items"] = items_in_scope(self.scope)
        return kwargs

    def get_table_kwargs(self):
        return {
            "department_year": self.department_year,
            "closed_months": closed_months(self.scope),
            "can_write": self.scope.can_write_spending,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Rejected entries are on the list but hold no money: the total leaves them out.
        context["total"] = self.object_list.exclude(status=Expenditure.Status.REJECTED).aggregate(
            total=Sum("amount", default=ZERO)
        )["total"]
        return context


class ExpenditureFormMixin(ScopedViewMixin):
    need = SPEND
    template_name = "ledger/expenditure_form.html"

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # htmx: choosing a class refreshes the subclass select to that class's subclasses.
        form.fields["economic_class_parent"].widget.attrs.update(
            {
                "hx-get": reverse("expenditures:economic_classes", kwargs=department_kwargs(self.scope)),
                "hx-target": "#id_economic_class",
                "hx-include": "#id_economic_class",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
            }
        )
        return form

    def success_url(self):
        return reverse("expenditures:list", kwargs=department_kwargs(self.scope))


class ExpenditureCreateView(ExpenditureFormMixin, FormView):
    form_class = ExpenditureForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["items"] = items_open_for_spending(self.scope)
        return kwargs

    def get_initial(self):
        initial = {"date": default_entry_date(self.scope), **last_entry_defaults(self.request, self.scope)}
        if "item" in self.request.GET:
            initial["item"] = self.request.GET["item"]
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            expenditure = services.expenditure_create(
                item=data["item"],
                date=data["date"],
                amount=data["amount"],
                economic_class=data["economic_class"],
                memo=data["memo"],
                voucher=data["voucher"],
                procurement_method=data["procurement_method"],
                entered_by=self.request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error)
            return self.form_invalid(form)
        last_entry_remember(self.request, self.scope, expenditure)
        pending = expenditure.status == Expenditure.Status.PENDING
        if "save_and_continue" in self.request.POST:
            # The next entry's form keeps the item and date (last_entry_defaults), and says what was saved.
            saved = {
                "item": f"{expenditure.item.code} {expenditure.item.name}",
                "date": expenditure.date.isoformat(),
                "amount": f"{expenditure.amount:,.2f}",
                "economic_class": str(expenditure.economic_class),
            }
            if pending:
                messages.warning(
                    self.request,
                    _("已保存：%(item)s，%(date)s，%(economic_class)s，%(amount)s 元，金额达到三重一大标准，待财务处审批。请录入下一笔")
                    % saved,
                )
            else:
                messages.success(self.request, _("已保存：%(item)s，%(date)s，%(economic_class)s，%(amount)s 元。请录入下一笔") % saved)
            return redirect("expenditures:new", **department_kwargs(self.scope))
        if pending:
            messages.warning(
                self.request, _("支出 %(amount)s 元已保存，金额达到三重一大标准，待财务处审批") % {"amount": f"{expenditure.amount:,.2f}"}
            )
        else:
            messages.success(self.request, _("支出 %(amount)s 元已保存") % {"amount": f"{expenditure.amount:,.2f}"})
        return redirect(self.success_url())


class ExpenditureUpdateView(ExpenditureFormMixin, FormView):
    form_class = ExpenditureForm

    def look_up(self, **kwargs):
        self.expenditure = expenditure_in_scope(self.scope, kwargs["pk"])

    def get_expenditure(self):
        return self.expenditure

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(items=BudgetItem.objects.none(), item=self.get_expenditure().item)
        return kwargs

    def get_initial(self):
        expenditure = self.get_expenditure()
        return {
            "date": expenditure.date,
            "amount": f"{expenditure.amount:.2f}",
            "economic_class_parent": expenditure.economic_class.class_code,
            "economic_class": expenditure.economic_class,
            "memo": expenditure.memo,
            "voucher": expenditure.voucher,
            "procurement_method": expenditure.procurement_method,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expenditure"] = self.get_expenditure()
        context["month_closed"] = context["expenditure"].date.month in closed_months(self.scope)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.expenditure_update(
                expenditure=self.get_expenditure(),
                date=data["date"],
                amount=data["amount"],
                economic_class=data["economic_class"],
                memo=data["memo"],
                voucher=data["voucher"],
                procurement_method=data["procurement_method"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("支出已修改"))
        return redirect(self.success_url())


class ExpenditureDeleteView(ScopedViewMixin, TemplateView):
    need = SPEND
    template_name = "ledger/expenditure_delete.html"

    def look_up(self, **kwargs):
        self.expenditure = expenditure_in_scope(self.scope, kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expenditure"] = self.expenditure
        return context

    def post(self, request, *args, **kwargs):
        expenditure = self.expenditure
        try:
            services.expenditure_delete(expenditure=expenditure)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("支出已删除"))
        return redirect("expenditures:list", **department_kwargs(self.scope))


class AvailableView(ScopedViewMixin, TemplateView):
    """htmx partial: the available amount of the chosen item on the chosen date."""

    template_name = "ledger/_available.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item_id = self.request.GET.get("item", "")
        if not (item_id.isascii() and item_id.isdigit() and len(item_id) <= 18):  # "²" and 10**5000 are no ids
            context["item"] = None
            return context
        item = items_in_scope(self.scope).filter(pk=int(item_id)).first()
        if item is None:
            raise Http404
        try:
            on = date.fromisoformat(self.request.GET.get("date", ""))
        except ValueError:
            on = default_entry_date(self.scope)
        if on.year != self.department_year.year:
            on = default_entry_date(self.scope)
        context.update(
            item=item,
            item_name=availability.name_for_quoting(item.name),
            on=on,
            available=availability.available_amount(item=item, on=on),
        )
        return context


class EconomicSubclassOptionsView(ScopedViewMixin, TemplateView):
    """htmx partial: the subclass select's <option>s for the chosen class (all, grouped, for none).

    Economic classes are shared reference data; the page still asks for a role that enters spending."""

    need = SPEND
    template_name = "ledger/_economic_class_options.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        classes, subclasses = economic_class_choices()
        choices = economic_subclass_choices(classes, subclasses, self.request.GET.get("economic_class_parent", ""))
        # (group label, options) pairs: an <optgroup> per class, None for an option outside any
        context["groups"] = [
            (label, options) if isinstance(options, list) else (None, [(label, options)]) for label, options in choices
        ]
        context["selected"] = self.request.GET.get("economic_class", "").split(" ")[0]
        return context


# --- budget lines -------------------------------------------------------------------------


class BudgetLineListView(ScopedViewMixin, XlsxExportMixin, SingleTableMixin, TemplateView):
    template_name = "ledger/budget_lines.html"
    table_class = BudgetLineListTable
    table_pagination = {"per_page": 100}
    export_name = "budget-lines"

    def get_table_data(self):
        return lines_in_scope(self.scope)

    def get_table_kwargs(self):
        return {"department_year": self.department_year}


class BudgetLineCreateView(ScopedViewMixin, FormView):
    need = FINANCE
    template_name = "ledger/budget_line_form.html"
    form_class = BudgetLineForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["items"] = items_in_scope(self.scope)
        return kwargs

    def get_initial(self):
        return {"date": default_entry_date(self.scope)}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.budget_line_create(
                item=data["item"],
                source=data["source"],
                kind=data["kind"],
                amount=data["amount"],
                date=data["date"],
                document=data["document"],
                created_by=self.request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("预算指标已保存"))
        return redirect("budget_lines:list", **department_kwargs(self.scope))
