"""Month closing of a department-year: the finance office closes and reopens months."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from fundmgr.lib.money import ZERO
from projects import closing
from projects.models import Expenditure, MonthClose
from projects.selectors import expenditures_in_scope
from units.access import FINANCE, ScopedViewMixin
from units.models import BudgetUnit


class ReopenForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("重新开账理由"), max_length=closing.REASON_MAX)


class MonthListView(ScopedViewMixin, TemplateView):
    """The twelve months of the year, closed or open, with their spending and pending entries.

    Closing is the department's, so every member sees which months are closed; the figures are
    the user's scope's: a unit accountant sees their unit's spending only (units.access).
    """

    template_name = "ledger/months.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        closes = {
            close.month: close
            for close in MonthClose.objects.filter(department_year=self.department_year).select_related("closed_by")
        }
        spending = {
            row["date__month"]: row
            for row in expenditures_in_scope(self.scope)
            .order_by()
            .values("date__month")
            .annotate(
                spent=Sum("amount", filter=Q(status=Expenditure.Status.APPROVED), default=ZERO),
                pending=Count("id", filter=Q(status=Expenditure.Status.PENDING)),
            )
        }
        reopenings = list(
            MonthClose.history.filter(department_year=self.department_year, history_type="-")
            .select_related("history_user")
            .order_by("-history_date")[:50]
        )
        context["months"] = [
            {
                "month": month,
                "close": closes.get(month),
                "spent": spending.get(month, {}).get("spent", ZERO),
                "pending": spending.get(month, {}).get("pending", 0),
            }
            for month in range(1, 13)
        ]
        # "结账至此月" is offered on an open month with an earlier open month: it closes them all at once.
        context["first_open"] = next((month for month in range(1, 13) if month not in closes), None)
        context["reopenings"] = reopenings
        context["reopen_form"] = ReopenForm()
        if self.scope.unit_id is not None:
            context["unit"] = BudgetUnit.objects.get(pk=self.scope.unit_id)
        return context


def months_named(months: list[int]) -> str:
    return _("、").join(_("%(month)s月") % {"month": month} for month in months)


class MonthCloseConfirmMixin(ScopedViewMixin):
    """A close is confirmed on a GET page showing what is being closed; it happens only on POST.

    The page shows each month's approved spending (the whole department's, to the cent) and its
    pending entries. A month with pending entries is not closed (projects.closing refuses it: a
    closed month's figures must not change, and no 三重一大 decision may land in a closed month),
    so the page warns with the count, links to the approval queue and offers no close button.
    """

    need = FINANCE
    template_name = "ledger/month_close_confirm.html"

    def look_up(self, **kwargs):
        if not 1 <= kwargs["month"] <= 12:
            raise Http404

    def months_to_close(self) -> list[int]:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        months = self.months_to_close()
        figures = closing.month_figures(department_year=self.department_year, months=months)
        context.update(
            month=kwargs["month"],
            figures=figures,
            months_named=months_named(months),
            total_spent=sum((row.spent for row in figures), ZERO),
            total_pending=sum(row.pending for row in figures),
        )
        return context

    def months_url(self):
        return reverse("closing:months", kwargs={"department_code": self.kwargs["department_code"], "year": self.kwargs["year"]})


class MonthCloseView(MonthCloseConfirmMixin, TemplateView):
    """Close one month: GET confirms, POST closes."""

    def months_to_close(self) -> list[int]:
        month = self.kwargs["month"]
        already = MonthClose.objects.filter(department_year=self.department_year, month=month).exists()
        return [] if already else [month]

    def post(self, request, *args, **kwargs):
        try:
            closing.month_close(department_year=self.department_year, month=kwargs["month"], closed_by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(month)s月已结账") % {"month": kwargs["month"]})
        return redirect(self.months_url())


class MonthCloseThroughView(MonthCloseConfirmMixin, TemplateView):
    """Close every still-open month through the chosen one ("关闭至 X 月"): GET confirms, POST closes."""

    def months_to_close(self) -> list[int]:
        return closing.open_months_through(department_year=self.department_year, month=self.kwargs["month"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["through"] = True
        return context

    def post(self, request, *args, **kwargs):
        try:
            months = closing.month_close_through(
                department_year=self.department_year, month=kwargs["month"], closed_by=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已结账：%(months)s") % {"months": months_named(months)})
        return redirect(self.months_url())


class MonthReopenView(ScopedViewMixin, TemplateView):
    need = FINANCE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        month_close = get_object_or_404(MonthClose, department_year=self.department_year, month=kwargs["month"])
        form = ReopenForm(request.POST)
        if form.is_valid():
            try:
                closing.month_reopen(month_close=month_close, reason=form.cleaned_data["reason"], reopened_by=request.user)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("%(month)s月已重新开账") % {"month": kwargs["month"]})
        else:
            messages.error(request, _("重新开账须填写理由（不超过%(max)s字）") % {"max": closing.REASON_MAX})
        return redirect("closing:months", department_code=kwargs["department_code"], year=kwargs["year"])
