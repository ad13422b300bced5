from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from fundmgr.lib.pagecache import CachedContent, cache_key
from fundmgr.lib.validators import CODE
from indicators.common import common_indicators
from indicators.forms import AnnualGoalForm, IndicatorResultsForm, ScoringProfileForm
from indicators.models import GOAL_TEXT_MAX, AnnualGoal, Indicator, ScoringProfile
from indicators.monitoring import monitoring_for
from indicators.scoring import ScoringError
from indicators.selectors import (
    annual_goals,
    department_phrases,
    department_sheet,
    indicator_in_scope,
    item_sheet,
    latest_evaluation_upload,
)
from indicators.services import (
    annual_goal_set,
    indicator_clear_override,
    indicator_set_override,
    indicator_update_results,
    phrase_delete,
    phrase_set,
    scoring_profile_clear,
    scoring_profile_set,
)
from indicators.targets import DEFAULT_PHRASES
from projects.models import BudgetItem
from projects.selectors import budget_summary, item_in_scope
from units.access import FINANCE, Scope, department_scope, require
from units.access import department_wide_scope as department_wide


def department_wide_scope(request, kwargs) -> Scope:
    """The department-wide pages show every unit's money: a unit accountant's role does not
    reach that far (403, units.access)."""
    return department_wide(request.user, department_code=kwargs["department_code"], year=kwargs["year"])


def evaluation_content(request, scope: Scope, **subject) -> CachedContent:
    """A 自评表's main content as cached for this scope's viewers, keyed by the ledger version
    (read by units.access with the department-year); the sheet is year-end, so no as-of month."""
    department_year = scope.department_year
    return CachedContent.look_up(
        cache_key(
            "page",
            department_year_id=department_year.pk,
            version=department_year.ledger_version,
            month=None,
            viewer=scope.viewer,
            page=request.resolver_match.view_name,
            **{name: row.pk for name, row in subject.items()},
        )
    )


class DepartmentEvaluationView(LoginRequiredMixin, TemplateView):
    """部门整体支出绩效自评表 (DOMAIN.md section 3), with the common indicators for reference."""

    template_name = "indicators/department_evaluation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = department_wide_scope(self.request, kwargs)
        content = evaluation_content(self.request, scope)
        context.update(scope=scope, department_year=scope.department_year, cached_content=content)
        if content.html is not None:
            return context
        summary = budget_summary(department_year=scope.department_year)
        sheet, scoring_error = None, None
        try:
            sheet = department_sheet(summary=summary)
        except ScoringError as error:
            scoring_error = str(error)
        context.update(
            scope=scope,
            department_year=scope.department_year,
            sheet=sheet,
            scoring_error=scoring_error,
            common=common_indicators(summary=summary),
            goal=annual_goals(department_year_id=scope.department_year.pk).get(None),
            upload=latest_evaluation_upload(department_year_id=scope.department_year.pk),
        )
        return context


class ItemEvaluationView(LoginRequiredMixin, TemplateView):
    """项目支出绩效自评表 of one item. An item without indicators has no 自评表: 404, as the
    summary's `evaluation` of such an item is null."""

    template_name = "indicators/item_evaluation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = department_scope(self.request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        item = item_in_scope(scope, kwargs["item_code"])
        content = evaluation_content(self.request, scope, item=item)
        context.update(scope=scope, department_year=scope.department_year, item=item, cached_content=content)
        if content.html is not None:
            return context
        sheet, scoring_error = None, None
        try:
            sheet = item_sheet(item=item)
        except ScoringError as error:
            scoring_error = str(error)
        else:
            if sheet is None:
                raise Http404
        context.update(
            scope=scope,
            department_year=scope.department_year,
            item=item,
            sheet=sheet,
            scoring_error=scoring_error,
            goal=AnnualGoal.objects.filter(department_year=scope.department_year, item=item).first(),
            upload=latest_evaluation_upload(department_year_id=scope.department_year.pk, item_id=item.pk),
        )
        return context


class MonitoringView(LoginRequiredMixin, TemplateView):
    """绩效运行监控 at the end of June: execution against 序时进度 beside mid-year values."""

    template_name = "indicators/monitoring.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = department_wide_scope(self.request, kwargs)
        monitoring, scoring_error = None, None
        try:
            monitoring = monitoring_for(department_year=scope.department_year)
        except ScoringError as error:
            scoring_error = str(error)
        context.update(scope=scope, department_year=scope.department_year, monitoring=monitoring, scoring_error=scoring_error)
        return context


class IndicatorResultsView(LoginRequiredMixin, FormView):
    """The finance office records one indicator's results: 404 for an indicator outside the user's
    scope, then 403 for any other role (units.access)."""

    template_name = "indicators/indicator_results_form.html"
    form_class = IndicatorResultsForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        self.indicator = indicator_in_scope(self.scope, kwargs["indicator_code"])
        require(self.scope, FINANCE)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        department_year = self.scope.department_year
        return {
            **super().get_form_kwargs(),
            "indicator": self.indicator,
            "phrases": department_phrases(department_year.department_id),
            "year": department_year.year,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            scope=self.scope,
            department_year=self.scope.department_year,
            indicator=self.indicator,
            sheet_url=self.sheet_url(),
        )

    def sheet_url(self) -> str:
        department_year = self.scope.department_year
        kwargs = {"department_code": department_year.department.code, "year": department_year.year}
        if self.indicator.item_id is None:
            return reverse("indicators:evaluation", kwargs=kwargs)
        return reverse("indicators:item_evaluation", kwargs={**kwargs, "item_code": self.indicator.item.code})

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            # The results and the evaluator's 得分 are saved together or not at all.
            with transaction.atomic():
                indicator = indicator_update_results(
                    indicator=self.indicator,
                    midyear=data.get("midyear"),
                    actual=data.get("actual"),
                    midyear_text=data["midyear_text"],
                    actual_text=data["actual_text"],
                    tier=data.get("tier", ""),
                    rate=data.get("rate"),
                    deviation_reason=data["deviation_reason"],
                    corrective_measures=data["corrective_measures"],
                    final="final" in self.request.POST,
                    user=self.request.user,
                )
                override = data.get("override_earned")
                if override is not None:
                    if override != indicator.override_earned or data["override_reason"].strip() != indicator.override_reason:
                        indicator_set_override(
                            indicator=indicator, earned=override, reason=data["override_reason"], user=self.request.user
                        )
                elif indicator.override_earned is not None:
                    indicator_clear_override(indicator=indicator, user=self.request.user)
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存指标“%(name)s”的完成情况，得分已重新计算。") % {"name": self.indicator.name})
        return redirect(self.sheet_url())


class ScoringProfileView(LoginRequiredMixin, TemplateView):
    """评分设置 (DOMAIN.md section 9): the finance office sets the department-year's scoring profile
    and each item's that differs from it. 404 outside the department, 403 for any other role.
    Two queries on top of the scope's, whatever the number of items: the profiles, the items."""

    template_name = "indicators/scoring_profiles.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        require(self.scope, FINANCE)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        department_year = self.scope.department_year
        profiles = {row.item_id: row for row in ScoringProfile.objects.filter(department_year=department_year)}
        items = BudgetItem.objects.filter(department_year=department_year).select_related("unit").order_by("code")
        context.update(
            scope=self.scope,
            department_year=department_year,
            department_profile=profiles.get(None),
            items=[(item, profiles.get(item.pk)) for item in items],
            execution_choices=ScoringProfile.ExecutionPoints.choices,
            rounding_choices=ScoringProfile.Rounding.choices,
            form=form,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ScoringProfileForm(request.POST)
        department_year = self.scope.department_year
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        item = None
        if code := form.cleaned_data["item"]:
            item = BudgetItem.objects.filter(department_year=department_year, code=code).first()
            if item is None:
                form.add_error(None, _("预算项目%(code)s不存在") % {"code": code})
                return self.render_to_response(self.get_context_data(form=form), status=400)
        scope_name = item.code if item else _("部门整体")
        try:
            if "clear" in request.POST:
                scoring_profile_clear(department_year=department_year, item=item, user=request.user)
                message = _("已清除%(scope)s的评分设置，改用默认设置。") % {"scope": scope_name}
            else:
                scoring_profile_set(
                    department_year=department_year,
                    item=item,
                    execution_points=form.cleaned_data["execution_points"],
                    rounding=form.cleaned_data["rounding"],
                    user=request.user,
                )
                message = _("已保存%(scope)s的评分设置，得分已重新计算。") % {"scope": scope_name}
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, message)
        kwargs = {"department_code": department_year.department.code, "year": department_year.year}
        return redirect(reverse("indicators:scoring", kwargs=kwargs))


class AnnualGoalView(LoginRequiredMixin, TemplateView):
    """年度总体目标 (DOMAIN.md section 9): the finance office writes the 预期目标 and 实际完成情况 of
    the department-year, or of one item (?item=CODE), shown at the head of its 自评表. 404 outside
    the department or for an unknown item, 403 for any other role."""

    template_name = "indicators/annual_goal.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        require(self.scope, FINANCE)
        code = (request.POST.get("item") if request.method == "POST" else request.GET.get("item")) or ""
        self.item = None
        if code:
            # a value that is no code (a NUL byte, which PostgreSQL refuses in a query) names no item
            self.item = (
                CODE.fullmatch(code) and BudgetItem.objects.filter(department_year=self.scope.department_year, code=code).first()
            )
            if not self.item:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        if form is None:
            goal = AnnualGoal.objects.filter(department_year=self.scope.department_year, item=self.item).first()
            form = AnnualGoalForm(
                initial={
                    "item": self.item.code if self.item else "",
                    "expected": goal.expected if goal else "",
                    "achieved": goal.achieved if goal else "",
                }
            )
        context.update(
            scope=self.scope,
            department_year=self.scope.department_year,
            item=self.item,
            form=form,
            back=self._evaluation_url(),
            goal_max=GOAL_TEXT_MAX,
        )
        return context

    def _evaluation_url(self) -> str:
        department_year = self.scope.department_year
        kwargs = {"department_code": department_year.department.code, "year": department_year.year}
        if self.item is not None:
            return reverse("indicators:item_evaluation", kwargs={**kwargs, "item_code": self.item.code})
        return reverse("indicators:evaluation", kwargs=kwargs)

    def post(self, request, *args, **kwargs):
        form = AnnualGoalForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            annual_goal_set(
                department_year=self.scope.department_year,
                item=self.item,
                expected=form.cleaned_data["expected"],
                achieved=form.cleaned_data["achieved"],
                user=request.user,
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        scope_name = self.item.code if self.item else _("部门整体")
        messages.success(request, _("已保存%(scope)s的年度总体目标。") % {"scope": scope_name})
        return redirect(self._evaluation_url())


class QualitativePhraseView(LoginRequiredMixin, TemplateView):
    """定性表述 (DOMAIN.md section 9): the finance office's list of the phrases the parser reads as
    达成 / 部分达成 / 未达成 (DEFAULT_PHRASES until it first edits it): add, change a tier, delete.
    404 outside the department, 403 for any other role. One query on top of the scope's."""

    template_name = "indicators/phrases.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        require(self.scope, FINANCE)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, errors=(), **kwargs):
        context = super().get_context_data(**kwargs)
        department = self.scope.department_year.department
        own = department_phrases(department.pk)
        tiers = dict(Indicator.Tier.choices)
        phrases = sorted((own or DEFAULT_PHRASES).items(), key=lambda pair: (list(tiers).index(pair[1]), pair[0]))
        context.update(
            scope=self.scope,
            department_year=self.scope.department_year,
            phrases=[(phrase, tier, tiers[tier]) for phrase, tier in phrases],
            edited=own is not None,
            tier_choices=Indicator.Tier.choices,
            errors=errors,
        )
        return context

    def post(self, request, *args, **kwargs):
        department = self.scope.department_year.department
        phrase = request.POST.get("phrase", "")
        try:
            if request.POST.get("action") == "delete":
                phrase_delete(department=department, phrase=phrase, user=request.user)
                messages.success(request, _("已删除定性表述“%(phrase)s”") % {"phrase": phrase.strip()})
            else:
                phrase_set(department=department, phrase=phrase, tier=request.POST.get("tier", ""), user=request.user)
                messages.success(request, _("已保存定性表述“%(phrase)s”") % {"phrase": phrase.strip()})
        except ValidationError as error:
            errors = [message for field_messages in error.message_dict.values() for message in field_messages]
            return self.render_to_response(self.get_context_data(errors=errors), status=400)
        return redirect(request.path)
