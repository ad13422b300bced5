from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from fundmgr.lib.forms import apply_service_error
from fundmgr.lib.pagecache import CachedContent, page_content
from fundmgr.lib.validators import CODE
from indicators.common import common_indicators
from indicators.declarations import version_in_force, version_label
from indicators.evidence import CONTENT_TYPES, evidence_delete, evidence_in_scope, evidence_of, evidence_upload
from indicators.forms import (
    AnnualGoalForm,
    EvidenceUploadForm,
    FormulaIndicatorForm,
    IndicatorMonitoringForm,
    IndicatorResultsForm,
    ItemMonitoringForm,
    MonitoringMonthForm,
    ScoringProfileForm,
)
from indicators.models import GOAL_TEXT_MAX, AnnualGoal, Indicator, ItemMonitoring, ScoringProfile
from indicators.monitoring import monitoring_for
from indicators.scoring import ScoringError
from indicators.selectors import (
    annual_goals,
    department_phrases,
    department_sheet,
    formula_overview,
    indicator_in_scope,
    item_sheet,
    latest_evaluation_upload,
    monitoring_month,
    with_ledger_values,
)
from indicators.services import (
    annual_goal_set,
    formula_indicator_add,
    formula_indicator_remove,
    indicator_clear_override,
    indicator_set_monitoring,
    indicator_set_override,
    indicator_update_results,
    item_monitoring_set,
    phrase_delete,
    phrase_set,
    scoring_profile_clear,
    scoring_profile_set,
)
from indicators.targets import DEFAULT_PHRASES
from projects.models import BudgetItem
from projects.selectors import budget_summary, item_in_scope
from units.access import FINANCE, SPEND, Scope, ScopedViewMixin, allows, department_scope, require
from units.access import department_wide_scope as department_wide
from units.services import monitoring_month_set


def department_wide_scope(request, kwargs) -> Scope:
    """The department-wide pages show every unit's money: a unit accountant's role does not
    reach that far (403, units.access)."""
    return department_wide(request.user, department_code=kwargs["department_code"], year=kwargs["year"])


def evaluation_content(request, scope: Scope, **subject) -> CachedContent:
    """A 自评表's main content as cached for this scope's viewers, keyed by the ledger version
    (read by units.access with the department-year); the sheet is year-end, so no as-of month."""
    department_year = scope.department_year
    return page_content(
        request,
        department_year=department_year,
        version=department_year.ledger_version,
        month=None,
        viewer=scope.viewer,
        query=False,
        **subject,
    )


class DepartmentEvaluationView(LoginRequiredMixin, TemplateView):
    """部门整体支出绩效自评表 (DOMAIN.md section 3), with the common indicators for reference."""

    template_name = "indicators/department_evaluation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = department_wide_scope(self.request, kwargs)
        content = evaluation_content(self.request, scope)
        context.update(
            scope=scope, department_year=scope.department_year, cached_content=content, **evidence_context(scope, item=None)
        )
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
            target_version=version_label(version_in_force(department_year_id=scope.department_year.pk, item_id=None)),
        )
        return context


def evidence_need(item: BudgetItem | None) -> str:
    """Who attaches and deletes 佐证材料: on an item's evaluation, the finance office and the item's
    unit accountant (whose scope reaches no other unit's item: 404 first); on the department's,
    the finance office."""
    return SPEND if item is not None else FINANCE


def evidence_indicators(scope: Scope, item: BudgetItem | None):
    """The indicators of one evaluation a 佐证材料 may be attached to."""
    return Indicator.objects.filter(department_year=scope.department_year, item=item).order_by("position", "code")


def evidence_context(scope: Scope, *, item: BudgetItem | None) -> dict:
    """The 佐证材料 block of an evaluation page: the files (one query), and for whoever may attach
    them the upload form (its indicator list is one query more, as it renders)."""
    may_attach = allows(scope, evidence_need(item))
    return {
        "evidence": evidence_of(department_year_id=scope.department_year.pk, item_id=item.pk if item else None),
        "evidence_form": EvidenceUploadForm(indicators=evidence_indicators(scope, item)) if may_attach else None,
        "may_attach": may_attach,
        "evidence_max_bytes": settings.EVIDENCE_MAX_BYTES,
        "evidence_max_files": settings.EVIDENCE_MAX_FILES,
    }


class ItemEvaluationView(LoginRequiredMixin, TemplateView):
    """项目支出绩效自评表 of one item. An item without indicators has no 自评表: 404, as the
    summary's `evaluation` of such an item is null."""

    template_name = "indicators/item_evaluation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = department_scope(self.request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        item = item_in_scope(scope, kwargs["item_code"])
        content = evaluation_content(self.request, scope, item=item)
        context.update(
            scope=scope,
            department_year=scope.department_year,
            item=item,
            cached_content=content,
            **evidence_context(scope, item=item),
        )
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
            target_version=version_label(version_in_force(department_year_id=scope.department_year.pk, item_id=item.pk)),
        )
        return context


class MonitoringView(LoginRequiredMixin, TemplateView):
    """绩效运行监控表 (issue 16) at the end of the monitoring month: the department's and each
    item's figures, forecasts and flags (indicators.monitoring), readable department-wide; the
    finance office sets the month here, and the entry forms are linked for who may write them.

    Queries, whatever the number of items and indicators: session, user, department-year,
    membership, then monitoring_for's ten (the summary's five, the indicators, the profiles, the
    特定目标类 items, the items' entries, the phrases)."""

    template_name = "indicators/monitoring.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = department_wide_scope(self.request, kwargs)
        monitoring, scoring_error = None, None
        try:
            monitoring = monitoring_for(department_year=scope.department_year)
        except ScoringError as error:
            scoring_error = str(error)
        context.update(
            scope=scope,
            department_year=scope.department_year,
            monitoring=monitoring,
            month=monitoring_month(scope.department_year),
            scoring_error=scoring_error,
            month_form=kwargs.get("month_form")
            or MonitoringMonthForm(initial={"monitoring_month": monitoring_month(scope.department_year)}),
            months=range(1, 13),
        )
        return context


def monitoring_url(department_year) -> str:
    return reverse(
        "indicators:monitoring", kwargs={"department_code": department_year.department.code, "year": department_year.year}
    )


class MonitoringMonthView(ScopedViewMixin, View):
    """POST only: the finance office sets the 监控月份 (units.services.monitoring_month_set)."""

    need = FINANCE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = MonitoringMonthForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors["monitoring_month"])
            monitoring_month_set(department_year=self.department_year, month=form.cleaned_data["monitoring_month"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("监控月份已设为%(month)s月，监控表按%(month)s月末的数据计算。")
                % {"month": form.cleaned_data["monitoring_month"]},
            )
        return redirect(monitoring_url(self.department_year))


def may_write_monitoring(scope: Scope, item_unit_id: int | None) -> bool:
    """Who writes a monitoring entry (issue 16): the finance office any; a unit accountant their
    own unit's items and item indicators (the look-up already hid other units'); never a leader,
    and a department-level indicator only the finance office."""
    if scope.is_finance:
        return True
    return scope.is_accountant and item_unit_id is not None and scope.sees_unit(item_unit_id)


class IndicatorMonitoringView(ScopedViewMixin, FormView):
    """One indicator's 绩效运行监控 entry (IndicatorMonitoringForm → indicators.services.
    indicator_set_monitoring): 404 for an indicator outside the user's scope, then 403 for who
    may not write it (may_write_monitoring)."""

    template_name = "indicators/monitoring_indicator_form.html"
    form_class = IndicatorMonitoringForm

    def look_up(self, **kwargs):
        self.indicator = indicator_in_scope(self.scope, kwargs["indicator_code"])
        if not may_write_monitoring(self.scope, self.indicator.item.unit_id if self.indicator.item_id else None):
            raise PermissionDenied

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
            **kwargs, indicator=self.indicator, month=monitoring_month(self.department_year), back=self.back_url()
        )

    def back_url(self) -> str:
        if self.scope.sees_department_wide:
            return monitoring_url(self.department_year)
        return reverse(
            "projects:detail",
            kwargs={
                "department_code": self.department_year.department.code,
                "year": self.department_year.year,
                "item_code": self.indicator.item.code,
            },
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            indicator_set_monitoring(
                indicator=self.indicator,
                midyear=data.get("midyear"),
                midyear_text=data["midyear_text"],
                forecast=data.get("forecast"),
                forecast_text=data["forecast_text"],
                cause=data["monitoring_cause"],
                cause_text=data["monitoring_cause_text"],
                likelihood=data["likelihood"],
                measures=data["monitoring_measures"],
                user=self.request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存指标“%(name)s”的运行监控情况。") % {"name": self.indicator.name})
        return redirect(self.back_url())


class ItemMonitoringView(ScopedViewMixin, FormView):
    """One item's entries in the 项目支出绩效运行监控表 (ItemMonitoringForm → indicators.services.
    item_monitoring_set): 404 for an item outside the user's scope, then 403 for who may not
    write it (may_write_monitoring)."""

    template_name = "indicators/monitoring_item_form.html"
    form_class = ItemMonitoringForm

    def look_up(self, **kwargs):
        self.item = item_in_scope(self.scope, kwargs["item_code"])
        if not may_write_monitoring(self.scope, self.item.unit_id):
            raise PermissionDenied
        self.entry = ItemMonitoring.objects.filter(item=self.item).first()

    def get_initial(self):
        entry = self.entry
        if entry is None:
            return {}
        return {
            "cause": entry.cause,
            "cause_text": entry.cause_text,
            "needs_correction": entry.needs_correction,
            "measures": entry.measures,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            item=self.item,
            indicators=list(Indicator.objects.filter(item=self.item).order_by("position", "id")),
            month=monitoring_month(self.department_year),
            back=self.back_url(),
        )

    def back_url(self) -> str:
        if self.scope.sees_department_wide:
            return monitoring_url(self.department_year)
        return reverse(
            "projects:detail",
            kwargs={
                "department_code": self.department_year.department.code,
                "year": self.department_year.year,
                "item_code": self.item.code,
            },
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            item_monitoring_set(
                item=self.item,
                cause=data["cause"],
                cause_text=data["cause_text"],
                needs_correction=data["needs_correction"],
                measures=data["measures"],
                user=self.request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存项目%(code)s的运行监控情况。") % {"code": self.item.code})
        return redirect(self.back_url())


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
        if self.indicator.formula:  # its values are the ledger's, shown read-only (issue 16)
            with_ledger_values([self.indicator], department_year=self.scope.department_year)
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
            apply_service_error(form, error)
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
            apply_service_error(form, error)
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
            apply_service_error(form, error)
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
            return self.render_to_response(self.get_context_data(errors=error.messages), status=400)
        return redirect(request.path)


class EvidenceUploadView(LoginRequiredMixin, View):
    """上传佐证材料 to an item's evaluation (item_code in the URL) or the department's, then back to
    that 自评表 with a message: what was attached, or every reason it was refused (nothing is
    kept then). The item is looked up first (404 for another unit's accountant, and for an item
    without indicators, which has no 自评表), then the role (evidence_need; 403). POST only."""

    http_method_names = ["post"]
    # fundmgr.workbook.upload.SizeCappedUploadHandler reads no more of a file than this setting allows
    upload_max_bytes_setting = "EVIDENCE_MAX_BYTES"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        self.item = item_in_scope(self.scope, kwargs["item_code"]) if "item_code" in kwargs else None
        # an item without indicators has no 自评表 (ItemEvaluationView), so nothing to prove
        if self.item is not None and not self.item.indicators.exists():
            raise Http404
        require(self.scope, evidence_need(self.item))
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = EvidenceUploadForm(request.POST, request.FILES, indicators=evidence_indicators(self.scope, self.item))
        if form.is_valid():
            try:
                evidence = evidence_upload(
                    department_year=self.scope.department_year,
                    item=self.item,
                    indicator=form.cleaned_data["indicator"],
                    upload=form.cleaned_data["file"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("已上传佐证材料“%(file)s”") % {"file": evidence.original_name})
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
        return redirect(evaluation_url(self.scope, self.item))


def evaluation_url(scope: Scope, item: BudgetItem | None) -> str:
    department_year = scope.department_year
    kwargs = {"department_code": department_year.department.code, "year": department_year.year}
    if item is None:
        return reverse("indicators:evaluation", kwargs=kwargs)
    return reverse("indicators:item_evaluation", kwargs={**kwargs, "item_code": item.code})


class EvidenceDownloadView(LoginRequiredMixin, View):
    """A 佐证材料, downloaded as an attachment under the name it was uploaded with, by anyone who
    may read its evaluation (units.access; 404 for another department's or another unit's)."""

    def get(self, request, *args, **kwargs):
        scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        evidence = evidence_in_scope(scope, kwargs["pk"])
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        # FileResponse writes a Chinese name as RFC 5987's filename*=utf-8''…, with an ASCII fallback
        response = FileResponse(
            handle, as_attachment=True, filename=evidence.original_name, content_type=CONTENT_TYPES[evidence.kind]
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class EvidenceDeleteView(LoginRequiredMixin, View):
    """删除佐证材料: the file is looked up first (404 outside the reader's scope), then the role
    (evidence_need; 403); the delete is in the change log with who made it. POST only."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        self.evidence = evidence_in_scope(self.scope, kwargs["pk"])
        require(self.scope, evidence_need(self.evidence.item))
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            evidence_delete(evidence=self.evidence, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已删除佐证材料“%(file)s”") % {"file": self.evidence.original_name})
        return redirect(evaluation_url(self.scope, self.evidence.item))


class FormulaIndicatorsView(LoginRequiredMixin, TemplateView):
    """共性指标（账表取数） (issue 16 item 5): each ledger formula active in this province with its
    value at year end and at the monitoring month, and whether it is in the department's
    evaluation. The finance office adds one (target, 分值, levels) or removes it; the leaders
    read the page (DEPARTMENT_WIDE), a unit accountant gets 403, an outsider 404 (units.access)."""

    template_name = "indicators/formulas.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = department_wide_scope(request, kwargs)
        if request.method == "POST":
            require(self.scope, FINANCE)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, errors=(), **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            scope=self.scope,
            department_year=self.scope.department_year,
            overview=formula_overview(department_year=self.scope.department_year),
            may_edit=allows(self.scope, FINANCE),
            form=form,
            errors=errors,
            level1_choices=Indicator.Level1.choices,
            direction_choices=[c for c in Indicator.Direction.choices if c[0] != Indicator.Direction.QUALITATIVE],
        )
        return context

    def post(self, request, *args, **kwargs):
        department_year = self.scope.department_year
        if request.POST.get("action") == "remove":
            indicator = Indicator.objects.filter(
                department_year=department_year, item__isnull=True, code=request.POST.get("code", "")[:64]
            ).first()
            if indicator is None:
                raise Http404
            try:
                formula_indicator_remove(indicator=indicator, user=request.user)
            except ValidationError as error:
                return self.render_to_response(self.get_context_data(errors=error.messages), status=400)
            messages.success(request, _("已将“%(name)s”移出绩效自评") % {"name": indicator.name})
            return redirect(request.path)
        form = FormulaIndicatorForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        try:
            indicator = formula_indicator_add(
                department_year=department_year,
                formula=data["formula"],
                target_text=data["target_text"],
                points=data["points"],
                level1=data["level1"] or None,
                level2=data["level2"] or None,
                direction=data["direction"] or None,
                user=request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, _("已将“%(name)s”加入绩效自评") % {"name": indicator.name})
        return redirect(request.path)
