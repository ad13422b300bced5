import logging

from django.conf import settings
from django.db import DatabaseError
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from fundmgr.lib.logs import REQUESTS, log_event


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC with
    an English browser would get English pages; the customer wants Chinese by default.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


def _user_or_none(request):
    """The request's user, or None when it cannot be known (no auth middleware ran, the database is down)."""
    try:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None
    except DatabaseError:
        return None


class FailedRequestLogMiddleware:
    """Logs every answer with status 400 or above (fundmgr.lib.logs): path, status, user, department.

    First in MIDDLEWARE, so it also sees what the other middleware refuse (CSRF failures, axes
    lockouts) and the 500 page Django renders for an exception. The department is the code in
    the URL when there is one; no query is made.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 400:
            match = getattr(request, "resolver_match", None)
            log_event(
                "request_failed",
                user=_user_or_none(request),
                department=match.kwargs.get("department_code") if match else None,
                level=logging.ERROR if response.status_code >= 500 else logging.WARNING,
                logger=REQUESTS,
                method=request.method,
                path=request.path,
                status=response.status_code,
            )
        return response
