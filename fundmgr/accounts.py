"""Accounts (issue 4, items 8 and 9): the demo logins are refused in production unless their
password was set explicitly, by an authentication backend (so the admin login obeys it too)
and by the login form (so the person sees why)."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

DEMO_USERNAMES = ("caiwu", "kuaiji1", "kuaiji2", "lingdao", "waibu")


def demo_login_refused(username: str | None) -> bool:
    usernames = getattr(settings, "DEMO_USERNAMES", DEMO_USERNAMES)
    return username in usernames and not settings.DEBUG and not settings.DEMO_PASSWORD_EXPLICIT


class DemoLoginGuardBackend:
    """Placed before ModelBackend: PermissionDenied stops Django trying any later backend.

    It deliberately has no get_user(), so sessions never name it as their backend (Django's
    test client force_login picks the first backend that has one)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if demo_login_refused(username):
            raise PermissionDenied
        return None


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。注意：连续失败5次后账户将暂时锁定。"),
        "demo_refused": _("演示账号仅在开发模式（DEBUG）或显式设置 DEMO_PASSWORD 时可用。"),
    }

    def clean(self):
        if demo_login_refused(self.cleaned_data.get("username")):
            raise ValidationError(self.error_messages["demo_refused"], code="demo_refused")
        return super().clean()
