"""预算调剂 (DOMAIN.md section 8): the department-year's transfers, their entry and deletion by the
finance office, and the 三重一大 decision on a pending one (at or above settings.APPROVAL_THRESHOLD),
recorded with the same fields as an expenditure's (党组会日期 and 纪要号, or the reason for a rejection).

Each view: fetch through the scope (404 outside it), validate with a form, call a service,
redirect. projects.services decides availability, closed months and the approval status.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from fundmgr.lib.forms import apply_service_error
from projects import services
from projects.forms import ApproveForm, RejectForm, TransferForm
from projects.models import BudgetTransfer
from projects.selectors import items_in_scope, transfers_in_scope
from projects.views.entry import default_entry_date, department_kwargs
from units.access import FINANCE, READ, ScopedViewMixin


def decision_prefix(transfer: BudgetTransfer) -> str:
    """The prefix of a transfer's approve and reject fields, so that each row's forms stay apart."""
    return f"t{transfer.pk}"


class TransferListView(ScopedViewMixin, TemplateView):
    """Every transfer of the department-year by date (a unit accountant's: those touching their
    unit), with who entered it and, for a pending one, the finance office's approve and reject forms.

    Queries, whatever the number of transfers: session, user, department-year, membership, and
    the transfers with both items, their units and who entered and decided them.
    """

    need = READ
    template_name = "projects/transfers.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        transfers = list(transfers_in_scope(self.scope))
        for transfer in transfers:
            transfer.prefix = decision_prefix(transfer)
        context.update(
            transfers=transfers,
            pending_count=sum(1 for transfer in transfers if transfer.status == BudgetTransfer.Status.PENDING),
            threshold=settings.APPROVAL_THRESHOLD,
        )
        return context


class TransferCreateView(ScopedViewMixin, FormView):
    need = FINANCE
    template_name = "projects/transfer_form.html"
    form_class = TransferForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["items"] = items_in_scope(self.scope)
        return kwargs

    def get_initial(self):
        return {"date": default_entry_date(self.scope), "source": "local"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["threshold"] = settings.APPROVAL_THRESHOLD
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            transfer = services.transfer_create(
                department_year=self.department_year,
                from_item=data["from_item"],
                to_item=data["to_item"],
                source=data["source"],
                amount=data["amount"],
                date=data["date"],
                document=data["document"],
                created_by=self.request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error)
            return self.form_invalid(form)
        saved = {
            "from": transfer.from_item.code,
            "to": transfer.to_item.code,
            "amount": f"{transfer.amount:,.2f}",
        }
        if transfer.status == BudgetTransfer.Status.PENDING:
            messages.warning(
                self.request,
                _("预算调剂 %(from)s→%(to)s %(amount)s 元已保存，金额达到三重一大标准，审批通过后生效") % saved,
            )
        else:
            messages.success(self.request, _("预算调剂 %(from)s→%(to)s %(amount)s 元已生效") % saved)
        return redirect("transfers:list", **department_kwargs(self.scope))


class TransferRecordMixin(ScopedViewMixin):
    """A page about one transfer: looked up through the scope first (404 outside it), then the
    finance office's right is checked (403)."""

    need = FINANCE

    def look_up(self, **kwargs):
        self.transfer = get_object_or_404(transfers_in_scope(self.scope), pk=kwargs["pk"])

    def list_redirect(self):
        return redirect("transfers:list", **department_kwargs(self.scope))


class TransferDeleteView(TransferRecordMixin, TemplateView):
    """GET confirms, showing the transfer; POST deletes it with its two lines (transfer_delete)."""

    template_name = "projects/transfer_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["transfer"] = self.transfer
        return context

    def post(self, request, *args, **kwargs):
        try:
            services.transfer_delete(transfer=self.transfer)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("预算调剂 %(from)s→%(to)s %(amount)s 元已删除")
                % {
                    "from": self.transfer.from_item.code,
                    "to": self.transfer.to_item.code,
                    "amount": f"{self.transfer.amount:,.2f}",
                },
            )
        return self.list_redirect()


class TransferDecisionView(TransferRecordMixin, TemplateView):
    http_method_names = ["post"]
    form_class = None

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, prefix=decision_prefix(self.transfer))
        if form.is_valid():
            try:
                self.decide(form.cleaned_data)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
        else:
            for name, field_errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else None
                for message in field_errors:
                    messages.error(
                        request, _("%(field)s：%(message)s") % {"field": label, "message": message} if label else message
                    )
        return self.list_redirect()

    def described(self) -> dict:
        return {
            "from": self.transfer.from_item.code,
            "to": self.transfer.to_item.code,
            "amount": f"{self.transfer.amount:,.2f}",
        }


class TransferApproveView(TransferDecisionView):
    form_class = ApproveForm

    def decide(self, data):
        services.transfer_approve(
            transfer=self.transfer,
            decided_by=self.request.user,
            meeting_date=data["meeting_date"],
            minutes_number=data["minutes_number"],
        )
        messages.success(self.request, _("预算调剂 %(from)s→%(to)s %(amount)s 元已审批通过并生效") % self.described())


class TransferRejectView(TransferDecisionView):
    form_class = RejectForm

    def decide(self, data):
        services.transfer_reject(transfer=self.transfer, decided_by=self.request.user, reason=data["rejection_reason"])
        messages.success(self.request, _("预算调剂 %(from)s→%(to)s %(amount)s 元已驳回") % self.described())
