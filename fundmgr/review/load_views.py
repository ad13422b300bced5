"""The finance office loads a filled 自评表 into an item's evaluation, or the department's
(DOMAIN.md section 10; fundmgr.review.load does the reading and the writing).

Who: the finance office of the department. As on the other evaluation writes, the item is looked
up first (404 for another department, or another unit's accountant), then the role is checked
(403 for unit accountants and the leaders). The file follows the review pages' rules: an .xlsx of
at most IMPORT_MAX_BYTES, refused with the same messages.
"""

import posixpath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fundmgr.review.checker import Kind
from fundmgr.review.load import load_evaluation
from projects.selectors import item_in_scope
from units.access import FINANCE, department_scope, require


class LoadForm(forms.Form):
    workbook = forms.FileField(label=gettext_lazy("已填写的自评表（.xlsx）"))

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        name = posixpath.basename(upload.name.replace("\\", "/"))
        if not name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("%(file)s：请上传 .xlsx 格式的工作簿") % {"file": name})
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("%(file)s：文件过大（%(size)s，上限为 %(limit)s）")
                % {"file": name, "size": filesizeformat(upload.size), "limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
            )
        return upload


class ItemEvaluationLoadView(LoginRequiredMixin, View):
    """上传自评表 of an item: the form, and on POST the upload, then back to the item's 自评表, or
    this page again with every problem when nothing was written."""

    template_name = "review/load.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = department_scope(request.user, department_code=kwargs["department_code"], year=kwargs["year"])
        self.item = item_in_scope(self.scope, kwargs["item_code"]) if "item_code" in kwargs else None
        require(self.scope, FINANCE)
        return super().dispatch(request, *args, **kwargs)

    def evaluation_url(self) -> str:
        department_year = self.scope.department_year
        kwargs = {"department_code": department_year.department.code, "year": department_year.year}
        if self.item is None:
            return reverse("indicators:evaluation", kwargs=kwargs)
        return reverse("indicators:item_evaluation", kwargs={**kwargs, "item_code": self.item.code})

    def page(self, form, result=None, status=200):
        labels = dict(Kind.choices)
        findings = (
            [{**finding, "label": labels.get(finding["kind"], finding["kind"])} for finding in result.findings] if result else []
        )
        context = {
            "scope": self.scope,
            "department_year": self.scope.department_year,
            "item": self.item,
            "form": form,
            "result": result,
            "findings": findings,
            "back": self.evaluation_url(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.page(LoadForm())

    def post(self, request, *args, **kwargs):
        form = LoadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form, status=400)
        upload = form.cleaned_data["workbook"]
        result = load_evaluation(
            department_year=self.scope.department_year,
            item=self.item,
            content=upload.read(),
            file_name=posixpath.basename(upload.name.replace("\\", "/")),
            user=request.user,
        )
        if not result.applied:
            return self.page(LoadForm(), result=result, status=400)
        messages.success(
            request,
            _(
                "已导入自评表“%(file)s”：更新完成情况 %(changed)s 项，设置评价人得分 %(overridden)s 项，恢复按公式计分 %(cleared)s 项；复核发现 %(findings)s 条。"
            )
            % {
                "file": result.file_name,
                "changed": len(result.changed),
                "overridden": len(result.overridden),
                "cleared": len(result.cleared),
                "findings": len(result.findings),
            },
        )
        return redirect(self.evaluation_url())


class DepartmentEvaluationLoadView(ItemEvaluationLoadView):
    """上传自评表 of the department: its 部门整体支出绩效自评表 into the department-level indicators."""
