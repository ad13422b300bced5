"""Accounts: the demo logins are refused in production unless their
password was set explicitly, by an authentication backend (so the admin login obeys it too)
and by the login form (so the person sees why)."""

import ipaddress

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

DEMO_USERNAMES = ("caiwu", "kuaiji1", "kuaiji2", "lingdao", "waibu")


def client_ip_address(request) -> str:
    """The address failed logins are counted by (AXES_CLIENT_IP_CALLABLE), with the username.

    Without a trusted proxy it is the connection's address: X-Forwarded-For is whatever the client
    wrote, and a guesser writing a new address each time would never be locked out. Behind
    TRUSTED_PROXY_COUNT proxies, each of which appends the address it received the request from
    (nginx's $proxy_add_x_forwarded_for), the client is that many entries from the right; what the
    client itself put in front is ignored. A header too short or not an address: the connection's.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote


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


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with a message the interface can show in Chinese: Django 5.2 changed the
    English msgid of this message and its Simplified Chinese catalog still carries the old one,
    so a short password was refused in English."""

    def get_error_message(self):
        return ngettext(
            "密码太短，至少需要 %(min_length)d 个字符。", "密码太短，至少需要 %(min_length)d 个字符。", self.min_length
        ) % {"min_length": self.min_length}
