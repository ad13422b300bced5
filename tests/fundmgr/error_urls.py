"""A test-only URLconf: the real one plus views that fail, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from fundmgr.urls import urlpatterns as real_urlpatterns

SECRET_DETAIL = "connection string postgres://admin:hunter2@db"


def raises(request):
    raise RuntimeError(SECRET_DETAIL)


def refuses(request, department_code, year):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation(SECRET_DETAIL)


urlpatterns = [
    path("test-errors/raises/", raises),
    path("test-errors/d/<str:department_code>/<int:year>/refuses/", refuses),
    path("test-errors/suspicious/", suspicious),
    *real_urlpatterns,
]
