"""Expenditure entry, the unit's expenditure list, approvals (三重一大) and budget-line entry.

Each view: fetch through the scope (404 outside it), validate with a form, call a service,
redirect. The services decide availability, closed months and approval status.
"""

from datetime import date

from django.conf import settings
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

from fundmgr.lib.money import ZERO
from fundmgr.lib.table_xlsx import XlsxExportMixin
from projects import availability, services
from projects.filters import ExpenditureFilter
from projects.forms import ApproveForm, BudgetLineForm, ExpenditureForm, RejectForm
from projects.models import BudgetItem, EconomicClass, Expenditure, MonthClose
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


def apply_service_error(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def department_kwargs(scope: Scope) -> dict:
    return {"department_code": scope.department_year.department.code, "year": scope.department_year.year}


def default_entry_date(scope: Scope) -> date:
    today = date.today()
    year = scope.department_year.year
    return today if today.year == year else date(year, 12, 31)


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["economic_classes"] = EconomicClass.objects.order_by("code")
        return context

    def success_url(self):
        return reverse("expenditures:list", kwargs=department_kwargs(self.scope))


class ExpenditureCreateView(ExpenditureFormMixin, FormView):
    form_class = ExpenditureForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["items"] = items_open_for_spending(self.scope)
        return kwargs

    def get_initial(self):
        initial = {"date": default_entry_date(self.scope)}
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
        if expenditure.status == Expenditure.Status.PENDING:
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
        context.update(item=item, on=on, available=availability.available_amount(item=item, on=on))
        return context


# --- approvals (三重一大) ------------------------------------------------------------------


class ApprovalQueueView(ScopedViewMixin, TemplateView):
    need = FINANCE
    template_name = "ledger/approvals.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        expenditures = expenditures_in_scope(self.scope).select_related("item__unit")
        context["pending"] = list(expenditures.filter(status=Expenditure.Status.PENDING).order_by("date", "id"))
        context["decided"] = list(
            expenditures.filter(decided_at__isnull=False).select_related("decided_by").order_by("-decided_at")[:20]
        )
        context["approve_form"] = kwargs.get("approve_form") or ApproveForm()
        context["reject_form"] = kwargs.get("reject_form") or RejectForm()
        context["threshold"] = settings.APPROVAL_THRESHOLD
        return context


class DecisionView(ScopedViewMixin, TemplateView):
    need = FINANCE
    http_method_names = ["post"]

    def look_up(self, **kwargs):
        self.expenditure = expenditure_in_scope(self.scope, kwargs["pk"])

    def post(self, request, *args, **kwargs):
        expenditure = self.expenditure
        form = self.form_class(request.POST, prefix=str(expenditure.pk))
        if form.is_valid():
            try:
                self.decide(expenditure, form.cleaned_data)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
        else:
            for field_errors in form.errors.values():
                for message in field_errors:
                    messages.error(request, message)
        return redirect("expenditures:approvals", **department_kwargs(self.scope))


class ApproveView(DecisionView):
    form_class = ApproveForm

    def decide(self, expenditure, data):
        services.expenditure_approve(
            expenditure=expenditure,
            decided_by=self.request.user,
            meeting_date=data["meeting_date"],
            minutes_number=data["minutes_number"],
        )
        messages.success(self.request, _("已审批通过：%(memo)s %(amount)s 元") % {"memo": expenditure.memo, "amount": f"{expenditure.amount:,.2f}"})


class RejectView(DecisionView):
    form_class = RejectForm

    def decide(self, expenditure, data):
        services.expenditure_reject(expenditure=expenditure, decided_by=self.request.user, reason=data["rejection_reason"])
        messages.success(self.request, _("已驳回：%(memo)s %(amount)s 元") % {"memo": expenditure.memo, "amount": f"{expenditure.amount:,.2f}"})


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
