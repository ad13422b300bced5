from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from fundmgr import history, job_views
from fundmgr.accounts import LoginForm
from fundmgr.dashboards import urls as dashboard_urls
from fundmgr.dashboards import views as dashboards
from fundmgr.lib import converters  # noqa: F401  (registers the "code" path converter)
from fundmgr.review.urls import evaluation_upload_patterns, review_patterns
from fundmgr.workbook import upload
from projects import urls as ledger_urls

DEPARTMENT_YEAR = "d/<code:department_code>/<int:year>/"

expenditure_history = [path("expenditures/<int:pk>/history/", history.ExpenditureHistoryView.as_view(), name="history")]
budget_line_history = [path("<int:pk>/history/", history.BudgetLineHistoryView.as_view(), name="history")]
audit_patterns = (
    [
        path("changes/", history.ChangeLogView.as_view(), name="changes"),
        path("indicators/<int:pk>/history/", history.IndicatorHistoryView.as_view(), name="indicator_history"),
    ],
    "audit",
)
upload_patterns = (
    [
        path("", upload.UploadView.as_view(), name="workbook"),
        path("template/", upload.TemplateDownloadView.as_view(), name="template"),
        # a department-year's 用款计划 template: GET downloads it, POST imports it back (finance office)
        path("template/plan/<code:department_code>/<int:year>/", upload.PlanTemplateView.as_view(), name="plan_template"),
        path("errors/<str:token>/", upload.ErrorListView.as_view(), name="errors"),
    ],
    "upload",
)
# a background job's page, the fragment its progress bar polls, a dry run's confirmation, an export's file,
# a failed import's error list
job_patterns = (
    [
        path("<uuid:pk>/", job_views.JobView.as_view(), name="detail"),
        path("<uuid:pk>/progress/", job_views.JobProgressView.as_view(), name="progress"),
        path("<uuid:pk>/confirm/", job_views.JobConfirmView.as_view(), name="confirm"),
        path("<uuid:pk>/download/", job_views.JobDownloadView.as_view(), name="download"),
        path("<uuid:pk>/errors/", job_views.JobErrorListView.as_view(), name="errors"),
    ],
    "jobs",
)
account_patterns = (
    [
        path(
            "password/",
            auth_views.PasswordChangeView.as_view(
                template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_done")
            ),
            name="password",
        ),
        path(
            "password/done/",
            auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
            name="password_done",
        ),
    ],
    "accounts",
)

urlpatterns = [
    path("", dashboards.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path(DEPARTMENT_YEAR, dashboards.DepartmentDashboardView.as_view(), name="department"),
    path("province/<int:year>/", dashboards.ProvinceView.as_view(), name="province"),
    path(DEPARTMENT_YEAR + "units/<code:unit_code>/", include(dashboard_urls.unit_patterns)),
    path(DEPARTMENT_YEAR + "items/<code:item_code>/", include(dashboard_urls.item_patterns)),
    path(DEPARTMENT_YEAR + "alerts/", include(dashboard_urls.alert_patterns)),
    path(DEPARTMENT_YEAR, include("indicators.urls")),
    path(DEPARTMENT_YEAR, include(evaluation_upload_patterns)),
    # entry, approvals, budget lines, month closing, audit trail, upload, accounts
    path(DEPARTMENT_YEAR, include((ledger_urls.expenditure_patterns + expenditure_history, "expenditures"))),
    path(DEPARTMENT_YEAR + "lines/", include((ledger_urls.budget_line_patterns + budget_line_history, "budget_lines"))),
    path(DEPARTMENT_YEAR + "months/", include(ledger_urls.closing_patterns)),
    path(DEPARTMENT_YEAR, include(ledger_urls.plan_patterns)),
    path(DEPARTMENT_YEAR + "transfers/", include(ledger_urls.transfer_patterns)),
    path(DEPARTMENT_YEAR + "year-end/", include(ledger_urls.year_close_patterns)),
    path(DEPARTMENT_YEAR, include(audit_patterns)),
    path("imports/upload/", include(upload_patterns)),
    path("review/", include(review_patterns)),
    path("jobs/", include(job_patterns)),
    path("accounts/", include(account_patterns)),
    path(DEPARTMENT_YEAR, include("fundmgr.exports.urls")),
]
