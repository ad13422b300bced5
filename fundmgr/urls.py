from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from fundmgr import converters  # noqa: F401  (registers the "code" path converter)
from fundmgr import views
from fundmgr.accounts import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("d/<code:department_code>/<int:year>/", views.DepartmentDashboardView.as_view(), name="department"),
    path("province/<int:year>/", views.ProvinceView.as_view(), name="province"),
    path("d/<code:department_code>/<int:year>/units/<code:unit_code>/", include("units.urls")),
    path("d/<code:department_code>/<int:year>/items/<code:item_code>/", include("projects.urls")),
    path("d/<code:department_code>/<int:year>/", include("indicators.urls")),
    # entry, approvals, budget lines, month closing, audit trail, upload, accounts
    path("d/<code:department_code>/<int:year>/", include("projects.entry_urls")),
    path("d/<code:department_code>/<int:year>/lines/", include("projects.line_urls")),
    path("d/<code:department_code>/<int:year>/months/", include("units.closing_urls")),
    path("d/<code:department_code>/<int:year>/", include("fundmgr.audit_urls")),
    path("imports/upload/", include("fundmgr.upload_urls")),
    path("accounts/", include("fundmgr.account_urls")),
    path("d/<code:department_code>/<int:year>/", include("fundmgr.exports.urls")),
]
