"""The exports page, the downloads and the narrative form of a department-year.

Each view fetches through units.access (404 for outsiders) and then asks the registry
whether this scope may have the file (403 otherwise: the role lacks the right, units.access).
"""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fundmgr.exports import registry
from fundmgr.exports.expenditures import ExpenditureScope
from fundmgr.exports.forms import ExpenditureDetailForm, NarrativeForm
from fundmgr.exports.services import department_year_narrative_update
from fundmgr.jobs import job_start
from fundmgr.lib.table_xlsx import document_author, stamp_for
from fundmgr.models import Job
from projects.models import Expenditure
from units.access import FINANCE, department_scope, require


@login_required
@require_GET
def index(request, department_code: str, year: int):
    scope = department_scope(request.user, department_code=department_code, year=year)
    form = ExpenditureDetailForm(scope=scope)
    return render(
        request,
        "exports/index.html",
        {
            "scope": scope,
            "department_year": scope.department_year,
            "kinds": [kind for kind in registry.visible_kinds(scope) if kind.what != registry.EXPENDITURES],
            "expenditures": registry.KINDS[registry.EXPENDITURES],
            "detail_form": form,
        },
    )


@login_required
@require_GET
def download(request, department_code: str, year: int, what: str):
    scope = department_scope(request.user, department_code=department_code, year=year)
    if what not in registry.KINDS:
        raise Http404
    unit = date_from = date_to = None
    if what == registry.EXPENDITURES:
        form = ExpenditureDetailForm(request.GET, scope=scope)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("exports:index", department_code=department_code, year=year)
        unit, date_from, date_to = form.cleaned_data["unit"], form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    if not registry.may_download(scope, what, unit=unit):
        raise PermissionDenied
    department_year = scope.department_year
    spending = ExpenditureScope(department_year=department_year, unit=unit, date_from=date_from, date_to=date_to).expenditures()
    rows = spending.filter(status=Expenditure.Status.APPROVED).count()  # the ledger's rows behind any of the files
    if rows > settings.EXPORT_TASK_ROWS:
        # Written by the worker (fundmgr.tasks) into the default storage; the job's page links the file.
        params = {
            "what": what,
            "department_code": department_year.department.code,
            "year": department_year.year,
            "unit": unit.pk if unit else None,
            "date_from": date_from.isoformat() if date_from else None,
            "date_to": date_to.isoformat() if date_to else None,
        }
        job = job_start(kind=Job.Kind.EXPORT, user=request.user, total=rows, params=params)
        return redirect("jobs:detail", pk=job.pk)
    # Generated into an anonymous temporary file: big files never sit in memory, and the file
    # is gone when the response is closed.
    out = tempfile.TemporaryFile()
    registry.generate(
        what,
        department_year=scope.department_year,
        out=out,
        stamp=stamp_for(document_author(request.user)),
        unit=unit,
        date_from=date_from,
        date_to=date_to,
    )
    out.seek(0)
    filename = registry.filename_for(what, department_year=scope.department_year, unit=unit, date_from=date_from, date_to=date_to)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=registry.KINDS[what].content_type)


@login_required
def narrative(request, department_code: str, year: int):
    """The finance office writes the report's narrative sections here; other roles get 403."""
    scope = department_scope(request.user, department_code=department_code, year=year)
    require(scope, FINANCE)
    department_year = scope.department_year
    form = NarrativeForm(request.POST or None, instance=department_year)
    if request.method == "POST" and form.is_valid():
        department_year_narrative_update(department_year=department_year, **form.cleaned_data)
        messages.success(request, _("报告文字已保存"))
        return redirect("exports:narrative", department_code=department_code, year=year)
    return render(request, "exports/narrative.html", {"scope": scope, "department_year": department_year, "form": form})
