"""Approvals (三重一大): the finance office's queue of pending expenditures and its decisions, and
the page where whoever entered spending sees what was decided about it.

Each view: fetch through the scope (404 outside it), validate with a form, call a service,
redirect. The services decide availability and approval status.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import ListView, TemplateView

from fundmgr.lib.money import ZERO
from projects import services
from projects.forms import ApproveForm, BatchApproveForm, RejectForm
from projects.models import Expenditure
from projects.selectors import approval_balances, entries_of, expenditure_in_scope, expenditures_in_scope
from projects.views.entry import department_kwargs
from units.access import FINANCE, SPEND, ScopedViewMixin

BATCH = "batch"  # the prefix of the batch approval form's fields


class ApprovalQueueView(ScopedViewMixin, TemplateView):
    """The pending expenditures with what their items have available, who entered them and their
    vouchers; ticked rows are approved together under one meeting record.

    Queries, whatever the number of rows: the pending rows (with item, unit and who entered
    them), the balances of all their items (one query, projects.selectors.approval_balances),
    and the 20 latest decisions.
    """

    need = FINANCE
    template_name = "ledger/approvals.html"

    def batch_form(self, data=None) -> BatchApproveForm:
        return BatchApproveForm(data, prefix=BATCH, expenditures=expenditures_in_scope(self.scope))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        expenditures = expenditures_in_scope(self.scope).select_related("item__unit")
        pending = list(expenditures.filter(status=Expenditure.Status.PENDING).order_by("date", "id"))
        balances = approval_balances(pending)
        for expenditure in pending:
            expenditure.balance = balances[expenditure.pk]
            expenditure.over = expenditure.amount > expenditure.balance
        context["pending"] = pending
        context["decided"] = list(
            expenditures.filter(decided_at__isnull=False).select_related("decided_by").order_by("-decided_at")[:20]
        )
        batch_form = kwargs.get("batch_form") or self.batch_form()
        context["batch_form"] = batch_form
        context["checked"] = {str(value) for value in (batch_form.data.getlist(f"{BATCH}-expenditures") if batch_form.is_bound else [])}
        context["reject_form"] = RejectForm()
        context["threshold"] = settings.APPROVAL_THRESHOLD
        context["batch_prefix"] = BATCH
        return context


class BatchApproveView(ApprovalQueueView):
    """Approve the ticked rows under one meeting record: all of them, or none with every refused
    row and its reason on the page (projects.services.expenditures_approve)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = self.batch_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                approved = services.expenditures_approve(
                    expenditures=data["expenditures"],
                    decided_by=request.user,
                    meeting_date=data["meeting_date"],
                    minutes_number=data["minutes_number"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, field_messages in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, field_messages)
                else:
                    form.add_error(None, [_("本批未审批任何一笔：")] + error.messages)
            else:
                total = sum((row.amount for row in approved), ZERO)
                messages.success(
                    request,
                    ngettext(
                        "已按纪要号 %(minutes)s 审批通过 %(count)s 笔，合计 %(total)s 元",
                        "已按纪要号 %(minutes)s 审批通过 %(count)s 笔，合计 %(total)s 元",
                        len(approved),
                    )
                    % {"minutes": data["minutes_number"], "count": len(approved), "total": f"{total:,.2f}"},
                )
                return redirect("expenditures:approvals", **department_kwargs(self.scope))
        return self.render_to_response(self.get_context_data(batch_form=form))


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


class MyEntriesView(ScopedViewMixin, ListView):
    """我的录入: the expenditures the user entered, newest first, each with its status and, once
    decided, who decided it and when, the meeting record or the reason for the rejection."""

    need = SPEND
    template_name = "ledger/my_entries.html"
    context_object_name = "entries"
    paginate_by = 50

    def status(self) -> str:
        status = self.request.GET.get("status", "")
        return status if status in Expenditure.Status.values else ""

    def get_queryset(self):
        entries = entries_of(self.scope, self.request.user)
        return entries.filter(status=self.status()) if self.status() else entries

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(
            entries_of(self.scope, self.request.user).order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
        )
        context.update(
            status=self.status(),
            tabs=[(value, label, counts.get(value, 0)) for value, label in Expenditure.Status.choices],
            total_count=sum(counts.values()),
        )
        return context
