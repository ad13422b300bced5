"""Month closing of a department-year: the finance office closes and reopens months."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect
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
        context["reopenings"] = reopenings
        context["reopen_form"] = ReopenForm()
        if self.scope.unit_id is not None:
            context["unit"] = BudgetUnit.objects.get(pk=self.scope.unit_id)
        return context


class MonthCloseView(ScopedViewMixin, TemplateView):
    need = FINANCE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            closing.month_close(department_year=self.department_year, month=kwargs["month"], closed_by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(month)s月已结账") % {"month": kwargs["month"]})
        return redirect("closing:months", department_code=kwargs["department_code"], year=kwargs["year"])


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
