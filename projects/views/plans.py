"""用款计划 (DOMAIN.md section 8): an item's monthly spending plan, twelve months in one grid.

Units file their plans in January, so the item's unit accountant may write their own unit's plan,
and the finance office any item's (the SPEND right, units.access); leaders read it. An accountant
of another unit gets 404 (the item is looked up through the scope first). projects.services.plan_set
decides: a plan totalling more than the full-year budget, or in a year already closed, is refused.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from fundmgr.lib.forms import apply_service_error
from fundmgr.lib.money import ZERO
from projects import services
from projects.forms import PlanForm
from projects.models import BudgetItem, SpendingPlan, YearClose
from projects.selectors import figures_of, item_in_scope, items_with_figures
from projects.views.entry import department_kwargs
from units.access import READ, SPEND, ScopedViewMixin, allows, require

HISTORY_LIMIT = 50


class PlanView(ScopedViewMixin, FormView):
    """GET shows the grid with the saved plan, its total against the full-year budget and the
    plan's recent changes; POST replaces the plan.

    Queries, whatever the plan holds: session, user, department-year, membership, the item, its
    full-year budget (one query of subqueries), the plan rows, whether the year is closed, and
    the plan's recent history (with who changed it).
    """

    need = READ
    template_name = "projects/plan.html"
    form_class = PlanForm

    def look_up(self, **kwargs):
        self.item = item_in_scope(self.scope, kwargs["item_code"])

    def post(self, request, *args, **kwargs):
        require(self.scope, SPEND)
        return super().post(request, *args, **kwargs)

    def saved_plan(self) -> dict[int, object]:
        if not hasattr(self, "_saved_plan"):
            self._saved_plan = dict(SpendingPlan.objects.filter(item=self.item).values_list("month", "amount"))
        return self._saved_plan

    def get_initial(self):
        return {f"month_{month}": amount for month, amount in self.saved_plan().items()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        budget = figures_of(items_with_figures(BudgetItem.objects.filter(pk=self.item.pk)).get()).full_year
        plan = self.saved_plan()
        total = sum(plan.values(), ZERO)
        closed = YearClose.objects.filter(department_year=self.department_year).exists()
        running, months = ZERO, []
        for month, field in enumerate(context["form"].month_fields(), start=1):
            running += plan.get(month, ZERO)
            months.append({"month": month, "field": field, "saved": plan.get(month), "to_date": running})
        context.update(
            item=self.item,
            months=months,
            budget=budget,
            plan_total=total,
            unplanned=budget - total,
            over=total > budget,
            planned=bool(plan),
            year_closed=closed,
            can_write=allows(self.scope, SPEND) and not closed,
            # the whole department-year's plan as one workbook (fundmgr.workbook.plans): the finance office's
            all_items=self.scope.is_finance and not closed,
            history=list(
                SpendingPlan.history.filter(item_id=self.item.pk)
                .select_related("history_user")
                .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
            ),
        )
        return context

    def form_valid(self, form):
        amounts = form.amounts()
        try:
            services.plan_set(item=self.item, amounts=amounts, user=self.request.user)
        except ValidationError as error:
            apply_service_error(form, error)
            return self.form_invalid(form)
        if amounts:
            total = sum(amounts.values(), ZERO)
            messages.success(
                self.request,
                _("项目%(code)s的用款计划已保存，合计 %(total)s 元") % {"code": self.item.code, "total": f"{total:,.2f}"},
            )
        else:
            messages.success(self.request, _("项目%(code)s的用款计划已清空，按序时进度计算") % {"code": self.item.code})
        return redirect("plans:edit", item_code=self.item.code, **department_kwargs(self.scope))
