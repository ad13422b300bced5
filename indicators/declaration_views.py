"""Pages of 绩效目标申报 and 目标调整 (indicators.declarations), for the department and each item.

Who (units.access): a scope's page is read by everyone who reads the scope (the department's by
the DEPARTMENT_WIDE roles, an item's by its unit and the department); its draft is started,
edited, loaded from a 申报表 and submitted by the finance office, or for an item also by the
item's unit accountant (SPEND); only the finance office approves, rejects and copies last year's
targets (FINANCE). 404 before 403, as everywhere.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from fundmgr.lib.validators import refuse_control_characters
from indicators.declaration_sheet import declaration_workbook
from indicators.declarations import (
    declaration_approve,
    declaration_copy_previous_year,
    declaration_diff,
    declaration_import,
    declaration_reject,
    declaration_start,
    declaration_submit,
    declaration_update,
    scope_name,
    version_label,
)
from indicators.models import GOAL_TEXT_MAX, Indicator, TargetDeclaration
from indicators.selectors import department_phrases
from projects.selectors import item_in_scope
from units.access import DEPARTMENT_WIDE, FINANCE, SPEND, ScopedViewMixin, allows, require

UPLOAD_MAX_BYTES = 2 * 1024 * 1024


class DeclarationRowForm(forms.Form):
    """One indicator of a draft, as typed: the checks are indicators.declarations'."""

    code = forms.CharField(
        label=gettext_lazy("指标编码"), required=False, max_length=64, widget=forms.TextInput(attrs={"size": 10})
    )
    level1 = forms.ChoiceField(label=gettext_lazy("一级指标"), required=False, choices=[("", "—"), *Indicator.Level1.choices])
    level2 = forms.CharField(
        label=gettext_lazy("二级指标"), required=False, max_length=32, widget=forms.TextInput(attrs={"size": 8})
    )
    name = forms.CharField(
        label=gettext_lazy("三级指标"), required=False, max_length=300, widget=forms.TextInput(attrs={"size": 28})
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("指标方向"), required=False, choices=[("", "—"), *Indicator.Direction.choices]
    )
    target = forms.CharField(
        label=gettext_lazy("指标值"), required=False, max_length=100, widget=forms.TextInput(attrs={"size": 12})
    )
    unit = forms.CharField(
        label=gettext_lazy("计量单位"), required=False, max_length=32, widget=forms.TextInput(attrs={"size": 6})
    )
    points = forms.CharField(label=gettext_lazy("分值"), required=False, max_length=12, widget=forms.TextInput(attrs={"size": 5}))
    formula = forms.CharField(
        label=gettext_lazy("取数公式"), required=False, max_length=32, widget=forms.TextInput(attrs={"size": 10})
    )

    def is_blank(self) -> bool:
        return not any((self.cleaned_data.get(key) or "").strip() for key in self.fields)


DeclarationRowFormSet = forms.formset_factory(DeclarationRowForm, extra=3, can_delete=True, max_num=500, absolute_max=500)


class DeclarationGoalForm(forms.Form):
    goal = forms.CharField(
        label=gettext_lazy("年度总体目标"),
        required=False,
        max_length=GOAL_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        validators=[refuse_control_characters],
    )


def labelled(rows: list[dict]) -> list[dict]:
    """A version's rows with the 一级指标 and 指标方向 in the reader's language."""
    levels, directions = dict(Indicator.Level1.choices), dict(Indicator.Direction.choices)
    return [
        {
            **row,
            "level1_label": levels.get(row["level1"], row["level1"]),
            "direction_label": directions.get(row["direction"], row["direction"]),
        }
        for row in rows
    ]


def _row_initial(row: dict) -> dict:
    return {**row, "target": row["target_text"] or row["target"] or "", "points": row["points"] or ""}


class DeclarationScopeMixin(ScopedViewMixin):
    """The scope the URL names: an item (item_code) or the department-year."""

    def look_up(self, **kwargs):
        self.item = item_in_scope(self.scope, kwargs["item_code"]) if "item_code" in kwargs else None
        if self.item is None:
            require(self.scope, DEPARTMENT_WIDE)  # the department's indicators are department-wide figures

    @property
    def can_write(self) -> bool:
        return allows(self.scope, FINANCE if self.item is None else SPEND)

    def page_url(self) -> str:
        kwargs = {"department_code": self.department_year.department.code, "year": self.department_year.year}
        if self.item is None:
            return reverse("indicators:declaration", kwargs=kwargs)
        return reverse("indicators:item_declaration", kwargs={**kwargs, "item_code": self.item.code})

    def versions(self) -> list[TargetDeclaration]:
        return list(
            TargetDeclaration.objects.filter(department_year=self.department_year, item=self.item)
            .select_related("created_by", "submitted_by", "decided_by")
            .order_by("-version")
        )


class DeclarationView(DeclarationScopeMixin, TemplateView):
    """绩效目标申报 of one scope: the version in force, the open version (its editor while a draft,
    the decision while submitted), the buttons of the user's role, and every version.

    Queries, whatever the number of versions and rows: session, user, department-year, membership,
    (the item), the versions with their three users."""

    template_name = "indicators/declaration.html"

    def get_context_data(self, formset=None, goal_form=None, errors=(), **kwargs):
        context = super().get_context_data(**kwargs)
        versions = self.versions()
        in_force = next((v for v in versions if v.state == TargetDeclaration.State.APPROVED), None)
        open_version = next((v for v in versions if v.is_open), None)
        draft = open_version if open_version and open_version.state == TargetDeclaration.State.DRAFT else None
        if draft is not None and self.can_write and formset is None:
            formset = DeclarationRowFormSet(initial=[_row_initial(row) for row in draft.indicators], prefix="rows")
            goal_form = DeclarationGoalForm(initial={"goal": draft.goal})
        context.update(
            item=self.item,
            scope_label=scope_name(self.item),
            versions=versions,
            in_force=in_force,
            in_force_label=version_label(in_force),
            open_version=open_version,
            open_rows=labelled(open_version.indicators) if open_version else [],
            draft=draft,
            formset=formset if self.can_write else None,
            goal_form=goal_form,
            errors=errors,
            can_write=self.can_write,
            can_decide=allows(self.scope, FINANCE),
            adjusting=any(v.state in (TargetDeclaration.State.APPROVED, TargetDeclaration.State.SUPERSEDED) for v in versions),
            page_url=self.page_url(),
            goal_max=GOAL_TEXT_MAX,
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        handlers = {
            "start": (self.can_write, self.start),
            "save": (self.can_write, self.save),
            "submit": (self.can_write, self.submit),
            "import": (self.can_write, self.load),
            "approve": (allows(self.scope, FINANCE), self.approve),
            "reject": (allows(self.scope, FINANCE), self.reject),
            "copy_previous": (allows(self.scope, FINANCE) and self.item is None, self.copy_previous),
        }
        if action not in handlers:
            return HttpResponse(_("未知的操作"), status=400)
        allowed, handler = handlers[action]
        if not allowed:
            raise PermissionDenied
        try:
            response = handler(request)
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(errors=error.messages), status=400)
        return response or redirect(self.page_url())

    def _open(self) -> TargetDeclaration:
        found = (
            TargetDeclaration.objects.filter(
                department_year=self.department_year, item=self.item, state__in=TargetDeclaration.OPEN_STATES
            )
            .order_by("-version")
            .first()
        )
        if found is None:
            raise ValidationError(_("%(scope)s没有待处理的版本，请刷新页面") % {"scope": scope_name(self.item)})
        return found

    def start(self, request):
        declaration = declaration_start(
            department_year=self.department_year, item=self.item, reason=request.POST.get("reason", ""), user=request.user
        )
        messages.success(
            request,
            _("已创建第%(version)s版（%(kind)s）草稿。")
            % {"version": declaration.version, "kind": declaration.get_kind_display()},
        )

    def save(self, request):
        formset = DeclarationRowFormSet(request.POST, prefix="rows")
        goal_form = DeclarationGoalForm(request.POST)
        if not formset.is_valid() or not goal_form.is_valid():
            errors = [error for form in formset for errors in form.errors.values() for error in errors]
            errors += formset.non_form_errors() + [e for errors in goal_form.errors.values() for e in errors]
            return self.render_to_response(self.get_context_data(formset=formset, goal_form=goal_form, errors=errors), status=400)
        rows = [
            form.cleaned_data
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and not form.is_blank()
        ]
        try:
            declaration_update(
                declaration=self._open(),
                goal=goal_form.cleaned_data["goal"],
                rows=rows,
                user=request.user,
                phrases=department_phrases(self.department_year.department_id),
            )
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(formset=formset, goal_form=goal_form, errors=error.messages), status=400
            )
        messages.success(request, _("已保存草稿。"))

    def submit(self, request):
        declaration = declaration_submit(declaration=self._open(), user=request.user)
        messages.success(request, _("已提交第%(version)s版，等待财务处审批。") % {"version": declaration.version})

    def approve(self, request):
        declaration = declaration_approve(declaration=self._open(), note=request.POST.get("note", ""), user=request.user)
        messages.success(request, _("已批准第%(version)s版，自评表按此版本计分。") % {"version": declaration.version})

    def reject(self, request):
        declaration = declaration_reject(declaration=self._open(), note=request.POST.get("note", ""), user=request.user)
        messages.success(request, _("已退回第%(version)s版。") % {"version": declaration.version})

    def load(self, request):
        upload = request.FILES.get("sheet")
        if upload is None:
            raise ValidationError(_("请选择要导入的绩效目标申报表（.xlsx）"))
        if upload.size > UPLOAD_MAX_BYTES:
            raise ValidationError(_("文件不能超过2MB"))
        declaration = declaration_import(
            department_year=self.department_year,
            item=self.item,
            source=upload,
            reason=request.POST.get("reason", ""),
            user=request.user,
        )
        messages.success(
            request,
            _("已导入%(count)s项指标到第%(version)s版草稿。")
            % {"count": len(declaration.indicators), "version": declaration.version},
        )

    def copy_previous(self, request):
        copied = declaration_copy_previous_year(department_year=self.department_year, user=request.user)
        if not copied:
            messages.info(request, _("上年没有可复制的已批准目标（或本年各范围已有版本）。"))
        else:
            names = _("、").join(scope_name(declaration.item) for declaration in copied)
            messages.success(request, _("已复制上年目标为草稿：%(scopes)s") % {"scopes": names})


class DeclarationVersionView(DeclarationScopeMixin, TemplateView):
    """One version, read only, and what changed against the version before it."""

    template_name = "indicators/declaration_version.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = {v.version: v for v in self.versions()}
        declaration = versions.get(kwargs["version"])
        if declaration is None:
            raise Http404
        before = versions.get(declaration.version - 1)
        goal_changed, changes = declaration_diff(before, declaration)
        context.update(
            item=self.item,
            scope_label=scope_name(self.item),
            declaration=declaration,
            label=version_label(declaration) if declaration.state != TargetDeclaration.State.DRAFT else "",
            before=before,
            goal_changed=goal_changed,
            changes=changes,
            rows=labelled(declaration.indicators),
            page_url=self.page_url(),
        )
        return context


class DeclarationExportView(DeclarationScopeMixin, TemplateView):
    """The scope's 申报表 as xlsx: the open version when there is one (?version=N: that one), else
    the version in force."""

    def get(self, request, *args, **kwargs):
        versions = self.versions()
        wanted = request.GET.get("version", "")
        if wanted:
            declaration = next((v for v in versions if str(v.version) == wanted), None)
            if declaration is None:
                raise Http404
        else:
            declaration = next((v for v in versions if v.is_open), None) or next(
                (v for v in versions if v.state == TargetDeclaration.State.APPROVED), None
            )
        content = declaration_workbook(department_year=self.department_year, item=self.item, declaration=declaration)
        name = f"declaration-{self.department_year.department.code}-{self.department_year.year}"
        if self.item is not None:
            name += f"-{self.item.code}"
        if declaration is not None:
            name += f"-v{declaration.version}"
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
